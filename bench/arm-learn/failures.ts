/**
 * Where an arm-reach run's last policy fails: the 100 held-out evaluation episodes again, each
 * with its goal, its distance to the goal at every step, its final and its smallest distance;
 * success by goal region and by the start-goal distance, and the distance traces of some
 * failures and successes. A camera run (obs "vae") is driven through its raw camera observation
 * (the policy holds the encoder).
 *
 *   npx tsx bench/arm-learn/failures.ts <run folder>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunConfig } from '../../src-shared/config/run-config.js';
import { selectBackend } from '../../src-main/ml/backend.js';
import { loadPolicy } from '../../src-main/rl/checkpoint/policy.js';
import { policyFromWeights } from '../../src-main/rl/policy/policy.js';
import { evalSeeds } from '../../src-main/rl/train/seeds.js';
import { makeEnv } from '../../src-main/sim/registry.js';

await selectBackend('wasm');
const runDir = process.argv[2]!;
const cfg = RunConfig.parse((JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as { config: unknown }).config);
const policy = policyFromWeights(loadPolicy(runDir, 'last'), 'p');
const env = makeEnv({ ...cfg.env, obs: 'pixels' } as typeof cfg.env);
const rows: Array<{ goal: number[]; final: number; min: number; ok: boolean; start: number[]; trace: number[] }> = [];
for (const seed of evalSeeds(100)) {
  let r = env.reset(seed);
  let min = Infinity;
  const trace: number[] = [];
  let start: number[] | undefined;
  for (;;) {
    const a = policy.act(r.obs, 1);
    const s = env.step(a);
    min = Math.min(min, s.info.distance as number);
    trace.push(s.info.distance as number);
    start ??= Array.from(s.info.achieved_goal as ArrayLike<number>);
    r = s;
    if (s.terminated || s.truncated) {
      rows.push({
        goal: Array.from(s.info.desired_goal as ArrayLike<number>),
        final: s.info.distance as number,
        min,
        ok: s.info.is_success === true,
        start: start!,
        trace,
      });
      break;
    }
  }
}
const f = (x: number) => (100 * x).toFixed(1);
const fails = rows.filter((r) => !r.ok);
console.log(`success ${rows.length - fails.length}/100`);
console.log(
  `failures: ${fails.length}; of them passed within 5 cm on the way: ${fails.filter((r) => r.min < 0.05).length}; median final ${f(fails.map((r) => r.final).sort((a, b) => a - b)[fails.length >> 1] ?? 0)} cm`,
);
const bucket = (name: string, key: (r: (typeof rows)[0]) => number, edges: number[]) => {
  const parts: string[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const inB = rows.filter((r) => key(r) >= edges[i]! && key(r) < edges[i + 1]!);
    parts.push(`[${edges[i]}, ${edges[i + 1]}): ${inB.filter((r) => r.ok).length}/${inB.length}`);
  }
  console.log(`${name}: ${parts.join('  ')}`);
};
bucket('goal z (m)', (r) => r.goal[2]!, [-1, 0.05, 0.1, 0.15, 0.2, 0.3, 1]);
bucket('goal x (m)', (r) => r.goal[0]!, [-1, -0.1, -0.05, 0, 0.05, 0.1, 1]);
bucket('goal y (m)', (r) => r.goal[1]!, [-1, -0.1, -0.05, 0, 0.05, 0.1, 1]);
bucket(
  'start-goal distance (m)',
  (r) => Math.hypot(r.goal[0]! - r.start[0]!, r.goal[1]! - r.start[1]!, r.goal[2]! - r.start[2]!),
  [0, 0.1, 0.15, 0.2, 0.25, 0.3, 1],
);
for (const r of fails.slice(0, 8))
  console.log(`  fail goal ${r.goal.map(f).join(', ')} cm: distance (cm) by step ${r.trace.map((d) => (100 * d).toFixed(0)).join(' ')}`);
for (const r of rows.filter((x) => x.ok).slice(0, 4))
  console.log(`  success goal ${r.goal.map(f).join(', ')} cm: distance (cm) by step ${r.trace.map((d) => (100 * d).toFixed(0)).join(' ')}`);
