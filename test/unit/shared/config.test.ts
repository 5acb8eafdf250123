import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DDPG_PRESET } from '../../../src-shared/config/algo.js';
import { buildRunConfig, RunConfig } from '../../../src-shared/config/run-config.js';

/** Walks an object schema and returns the paths of fields without a description. */
function undocumented(schema: z.ZodType, path: string[] = []): string[] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; options?: z.ZodType[] } }).def;
  if (def.type === 'default' || def.type === 'optional' || def.type === 'nullable') return undocumented(def.innerType!, path);
  if (def.type === 'object') {
    const out: string[] = [];
    for (const [k, v] of Object.entries(def.shape!)) {
      if (k === 'type' || k === 'id') continue; // discriminators
      if (!v.description) out.push([...path, k].join('.'));
      out.push(...undocumented(v, [...path, k]));
    }
    return out;
  }
  if (def.type === 'union') return def.options!.flatMap((o) => undocumented(o, path));
  return [];
}

describe('run config', () => {
  it('gives every field a documented default', () => {
    expect(undocumented(RunConfig)).toEqual([]);
    const defaults = RunConfig.parse({});
    expect(defaults.algo).toBe('td3');
    expect(defaults.td3.nCritics).toBe(2);
    expect(defaults.env.id).toBe('pendulum');
  });

  it('applies the DDPG preset under explicit user settings', () => {
    const ddpg = buildRunConfig({ algo: 'ddpg' });
    expect(ddpg.td3).toMatchObject({ nCritics: 1, policyDelay: 1, targetNoise: 0 });
    expect(ddpg.td3.noise.type).toBe('ou');
    const custom = buildRunConfig({ algo: 'ddpg', td3: { noise: { type: 'gaussian', sigma: 0.3 } } });
    expect(custom.td3.noise).toEqual({ type: 'gaussian', sigma: 0.3 });
    expect(custom.td3.nCritics).toBe(DDPG_PRESET.nCritics);
  });

  it('refuses out-of-range values with the field path', () => {
    const r = RunConfig.safeParse({ td3: { tau: 2 } });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]!.path.join('.')).toBe('td3.tau');
  });
});
