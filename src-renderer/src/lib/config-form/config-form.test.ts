import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DDPG_PRESET } from '../../../../src-shared/config/algo';
import { envPresetsOf } from '../../../../src-shared/config/preset-catalog';
import { ENV_IDS } from '../../../../src-shared/config/envs/index';
import { RunConfig } from '../../../../src-shared/config/run-config';
import { defaultValue, formTree, type FormNode } from './schema';
import { CONDITIONAL_GROUPS } from './applies';
import { optionHelp } from './labels';
import { AlgoId } from '../../../../src-shared/config/algo';
import { ON_POLICY_ALGOS } from '../../../../src-shared/config/on-policy';
import { configChanges, presetConfig, presetPath, describeRange, engineIssuesToFields, parseNumber, parseNumberList, validateConfig } from './values';

function find(nodes: FormNode[], path: string): FormNode | undefined {
  for (const n of nodes) {
    if (n.path.join('.') === path) return n;
    const kids = n.kind === 'object' ? n.children : n.kind === 'union' ? n.variants.flatMap((v) => v.children) : [];
    const hit = find(kids, path);
    if (hit) return hit;
  }
  return undefined;
}

describe('form tree from the RunConfig schema', () => {
  const tree = formTree(RunConfig);

  it('has every top-level config field, in schema order', () => {
    expect(tree.map((n) => n.key)).toEqual(Object.keys(RunConfig.shape));
  });

  it('carries defaults, ranges and the .describe() help of leaves', () => {
    const gamma = find(tree, 'td3.gamma')!;
    expect(gamma).toMatchObject({ kind: 'number', integer: false, default: 0.99, range: { min: 0, max: 1 }, help: 'Discount factor gamma.' });
    const lr = find(tree, 'td3.actorLr')!;
    expect(lr).toMatchObject({ kind: 'number', range: { min: 0, minExclusive: true, max: 1 } });
    const learningStarts = find(tree, 'td3.learningStarts')!;
    expect(learningStarts).toMatchObject({ kind: 'number', integer: true, range: { min: 0 } });
    if (learningStarts.kind === 'number') expect(learningStarts.range.max).toBeUndefined();
    expect(find(tree, 'td3.actorHidden')).toMatchObject({ kind: 'number-list', integer: true, default: [256, 256], minItems: 1, maxItems: 8 });
    expect(find(tree, 'td3.maxGradNorm')).toMatchObject({ kind: 'number', optional: true });
    expect(find(tree, 'algo')).toMatchObject({
      kind: 'enum',
      options: ['td3', 'ddpg', 'sac', 'd4pg', 'dqn', 'rainbow', 'ppo', 'a2c', 'reinforce'],
    });
  });

  it('explains every algorithm of the picker in a sentence, and shows each algorithm its own block only', () => {
    for (const a of AlgoId.options) expect(optionHelp('algo', a)).toMatch(/^[A-Z].{40,}\.$/);
    const groups = (algo: string) =>
      CONDITIONAL_GROUPS.filter((g) => ['td3', ...ON_POLICY_ALGOS].includes(g.path[0]!) && g.applies({ algo })).map((g) => g.path[0]);
    expect(groups('ddpg')).toEqual(['td3']);
    expect(groups('ppo')).toEqual(['ppo']);
    expect(groups('reinforce')).toEqual(['reinforce']);
  });

  it('offers parallel actors as an optional group, absent (the synchronous loop) until added', () => {
    const actors = find(tree, 'actors')!;
    expect(actors).toMatchObject({ kind: 'object', optional: true });
    expect(defaultValue(actors)).toBeUndefined();
    expect(find(tree, 'actors.count')).toMatchObject({ kind: 'number', integer: true, default: 1, range: { min: 1, max: 64 } });
    expect(find(tree, 'actors.mode')).toMatchObject({ kind: 'enum', options: ['sync', 'async'], default: 'async' });
  });

  it('turns discriminated unions (env, noise) into a choice with per-variant fields and defaults', () => {
    const env = find(tree, 'env')!;
    expect(env.kind).toBe('union');
    if (env.kind !== 'union') return;
    expect(env.discriminator).toBe('id');
    expect(env.variants.map((v) => v.value)).toEqual(ENV_IDS);
    expect(env.variants[1]!.defaults).toEqual({ id: 'mountaincar', maxEpisodeSteps: 999 });
    const noise = find(tree, 'td3.noise')!;
    expect(noise.kind === 'union' && noise.variants.find((v) => v.value === 'ou')!.defaults).toEqual({ type: 'ou', theta: 0.15, sigma: 0.2, dt: 0.01, mu: 0 });
  });

  it('shows the options every registered env declares (the arm envs: enums, booleans, numbers)', () => {
    const env = find(tree, 'env')!;
    if (env.kind !== 'union') throw new Error('env is not a union');
    for (const v of env.variants) expect(v.defaults, v.value).toEqual(JSON.parse(JSON.stringify(RunConfig.parse({ env: { id: v.value } }).env)));
    const push = env.variants.find((v) => v.value === 'arm-push');
    if (push) {
      const kinds = Object.fromEntries(push.children.map((c) => [c.key, c.kind]));
      expect(kinds).toMatchObject({ control: 'enum', reward: 'enum', terminateOnSuccess: 'boolean', cubeSolverIterations: 'number' });
    }
  });

  it('picks up a new env option with no UI change (a schema with a boolean and an enum)', () => {
    const Lane = z.object({
      id: z.literal('lane'),
      obs: z.enum(['state', 'pixels']).default('state').describe('Observation type.'),
      throttle: z.boolean().default(false).describe('Let the agent control throttle.'),
    });
    const Pend = z.object({ id: z.literal('pendulum') });
    const schema = z.object({ env: z.discriminatedUnion('id', [Pend, Lane]).default({ id: 'pendulum' }).describe('Env.') });
    const t = formTree(schema);
    expect(find(t, 'env.obs')).toMatchObject({ kind: 'enum', options: ['state', 'pixels'], default: 'state', help: 'Observation type.' });
    expect(find(t, 'env.throttle')).toMatchObject({ kind: 'boolean', default: false });
  });

  it('builds defaults that equal the schema defaults', () => {
    const values: Record<string, unknown> = {};
    for (const n of tree) {
      const d = defaultValue(n);
      if (d !== undefined) values[n.key] = d;
    }
    expect(values).toEqual(JSON.parse(JSON.stringify(RunConfig.parse({}))));
  });
});

describe('form values', () => {
  it('parses numbers and lists, refusing text with a reason', () => {
    expect(parseNumber('1e-3', false)).toEqual({ value: 0.001 });
    expect(parseNumber(' ', false)).toEqual({ empty: true });
    expect(parseNumber('abc', false)).toEqual({ error: '"abc" is not a number' });
    expect(parseNumber('2.5', true)).toEqual({ error: 'must be a whole number' });
    expect(parseNumberList('64, 64 32', true)).toEqual({ value: [64, 64, 32] });
    expect('error' in parseNumberList('64, x', true)).toBe(true);
    expect(describeRange({ min: 0, max: 1 }, false)).toBe('0 ≤ x ≤ 1');
    expect(describeRange({ min: 0, minExclusive: true }, false)).toBe('0 < x');
  });

  it('validates with the engine schema and names the field and the reason', () => {
    const values = JSON.parse(JSON.stringify(RunConfig.parse({}))) as Record<string, unknown>;
    expect(validateConfig(values).config).toBeDefined();
    (values.td3 as Record<string, unknown>).gamma = 7;
    (values as Record<string, unknown>).numEnvs = 1.5;
    const v = validateConfig(values);
    expect(v.config).toBeUndefined();
    expect(v.fields['td3.gamma']).toBe('must be ≤ 1');
    expect(v.fields['numEnvs']).toBe('must be a whole number');
  });

  it('maps engine issue lines back to fields', () => {
    expect(engineIssuesToFields(['config.td3.gamma: Too big', 'something else'])).toEqual({ fields: { 'td3.gamma': 'Too big' }, general: ['something else'] });
  });

  it("starts a form from the engine's presets for the algorithm and env, and lists the envs an algorithm has presets for", () => {
    const ddpg = presetConfig('ddpg', { id: 'pendulum' })!;
    // DDPG's structure with the pendulum preset (RL Zoo) under it, as buildRunConfig makes it for the CLI.
    expect(ddpg.td3).toMatchObject({ ...DDPG_PRESET, gamma: 0.98, actorHidden: [64, 64] });
    const push = presetConfig('td3', { id: 'arm-push' })!;
    expect(push.totalSteps).toBe(300_000);
    expect((push.td3 as { replay: { type: string } }).replay.type).toBe('her');
    expect((presetConfig('dqn', { id: 'cartpole' })!.dqn as { lr: number }).lr).toBe(2.3e-3);
    expect(presetConfig('td3', { id: 'no-such-env' })).toBeUndefined();
    expect(presetPath(['td3', 'gamma'])).toBe(true);
    expect(presetPath(['totalSteps'])).toBe(true);
    expect(presetPath(['env', 'id'])).toBe(false);
    expect(envPresetsOf('td3').map((p) => p.env)).toEqual(expect.arrayContaining(['pendulum', 'arm-reach', 'arm-push']));
    expect(envPresetsOf('sac').map((p) => p.env)).toContain('pendulum');
    expect(envPresetsOf('dqn').map((p) => p.env)).toEqual(expect.arrayContaining(['cartpole', 'mountaincar-discrete']));
    for (const algo of AlgoId.options) for (const p of envPresetsOf(algo)) expect(p.doc.length, `${algo} ${p.env}`).toBeGreaterThan(10);
  });

  it('computes a merge patch between two configs', () => {
    const base = { name: 'a', td3: { gamma: 0.99, tau: 0.005, noise: { type: 'gaussian', sigma: 0.1 } }, seed: 0 };
    expect(configChanges(base, { name: 'a', td3: { gamma: 0.98, tau: 0.005, noise: { type: 'gaussian', sigma: 0.1 } }, seed: 3 })).toEqual({
      changes: { td3: { gamma: 0.98 }, seed: 3 },
      removes: false,
    });
    expect(configChanges(base, { name: 'a', td3: { gamma: 0.99, tau: 0.005, noise: { type: 'none' } }, seed: 0 }).removes).toBe(true);
  });
});
