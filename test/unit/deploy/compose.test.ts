/**
 * deploy/compose.yaml (the two-machine Redis setup) parses as YAML, and what it runs is what the
 * CLI accepts: the learner's and the actors' commands name existing subcommands and options, the
 * Redis URL they build is one the Redis client code takes, and Redis is published on loopback
 * unless REDIS_BIND says otherwise. (Docker itself is not run here.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src-main/cli/main.js';
import { redactUrl } from '../../../src-main/rl/actors/redis/keys.js';

// js-yaml: a devDependency (createRequire: it ships no types).
const yaml = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown };

interface Service {
  command?: string[];
  profiles?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

/** Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} against `env` (what docker compose does before it reads the file). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

function load(env: Record<string, string>): Record<string, Service> {
  const doc = yaml.load(interpolate(readFileSync('deploy/compose.yaml', 'utf8'), env)) as { services: Record<string, Service> };
  return doc.services;
}

/** The long options `args` use must be options of the CLI subcommand `args[0]`. */
function expectCliAccepts(args: string[]): void {
  const cmd = buildProgram().commands.find((c) => c.name() === args[0]);
  expect(cmd, `subcommand ${args[0]}`).toBeDefined();
  const known = new Set(cmd!.options.map((o) => o.long));
  for (const a of args.filter((x) => x.startsWith('--'))) expect(known.has(a), `${args[0]} ${a}`).toBe(true);
}

describe('deploy/compose.yaml', () => {
  it('refuses to start without a Redis password', () => {
    expect(() => load({})).toThrow(/REDIS_PASSWORD/);
  });

  it('runs Redis, a learner and actors with commands the CLI accepts', () => {
    const s = load({ REDIS_PASSWORD: 's3cret' });
    expect(Object.keys(s).sort()).toEqual(['actor', 'learner', 'redis']);
    // Machine B starts only actors: Redis and the learner are behind the "learner" profile.
    expect(s.redis!.profiles).toEqual(['learner']);
    expect(s.learner!.profiles).toEqual(['learner']);
    expect(s.actor!.profiles).toBeUndefined();
    expect(s.learner!.depends_on?.redis?.condition).toBe('service_healthy');
    expect(s.redis!.command).toEqual(expect.arrayContaining(['--requirepass', 's3cret']));
    expect(s.redis!.ports).toEqual(['127.0.0.1:6379:6379']);

    const learner = s.learner!.command!;
    expectCliAccepts(learner);
    expect(learner.slice(learner.indexOf('--redis'), learner.indexOf('--redis') + 2)).toEqual(['--redis', 'redis://:s3cret@redis:6379']);
    expect(learner[learner.indexOf('--out') + 1]).toBe('/runs/lane-redis');
    const actor = s.actor!.command!;
    expectCliAccepts(actor);
    expect(actor[actor.indexOf('--run') + 1]).toBe('lane-redis');
    for (const url of [learner[learner.indexOf('--redis') + 1]!, actor[actor.indexOf('--redis') + 1]!]) expect(redactUrl(url)).toMatch(/^redis:\/\/:\*\*\*@/);
  });

  it('points actors on another machine at the learner machine', () => {
    const s = load({ REDIS_PASSWORD: 'pw', REDIS_HOST: '192.168.1.10', REDIS_BIND: '192.168.1.10', RUN: 'r1' });
    const actor = s.actor!.command!;
    expect(actor[actor.indexOf('--redis') + 1]).toBe('redis://:pw@192.168.1.10:6379');
    expect(actor[actor.indexOf('--run') + 1]).toBe('r1');
    expect(s.redis!.ports).toEqual(['192.168.1.10:6379:6379']);
  });
});
