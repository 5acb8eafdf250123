/**
 * kill -9 of `cli train` for SAC and D4PG runs, after a checkpoint: resumed through the engine,
 * each ends with exactly the metric lines (wall-clock fields aside), final evaluation and
 * learner numbers of the same run trained without interruption.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunConfigInput } from '../../src-shared/config/run-config.js';
import { CheckpointStore } from '../../src-main/rl/checkpoint/store.js';
import { Engine } from '../../src-main/services/engine.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';

const tmp = tempDir('drive-lab-kill9-offpolicy-');
afterAll(() => tmp.cleanup());

const CLI = join(import.meta.dirname, '../../src-main/cli/bin.ts');
const nets = { actorHidden: [8], criticHidden: [8], batchSize: 16, learningStarts: 60, bufferSize: 10_000 };
const CONFIGS: Array<[string, RunConfigInput]> = [
  ['sac', tinyConfig({ algo: 'sac', sac: nets, totalSteps: 300, checkpointEvery: 50, evalEvery: 150 })],
  [
    'd4pg',
    tinyConfig({ algo: 'd4pg', d4pg: { ...nets, atoms: 11, replay: { type: 'uniform', nStep: 3 } }, totalSteps: 300, checkpointEvery: 50, evalEvery: 150 }),
  ],
];

function train(cfgPath: string, out: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, 'train', '--config', cfgPath, '--out', out, '--json'], { stdio: 'ignore' });
}

/** Kills `child` with SIGKILL 40 ms after its 3rd checkpoint write starts. */
async function killAfterCheckpoint(child: ChildProcess, dir: string): Promise<void> {
  while (!existsSync(join(dir, 'checkpoints'))) {
    if (child.exitCode !== null) throw new Error(`cli train ended (code ${child.exitCode}) before creating ${dir}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise<void>((resolve, reject) => {
    const seen = new Set<string>();
    const watcher = watch(join(dir, 'checkpoints'), (_e, name) => {
      if (!name?.startsWith('.tmp-ckpt-') || seen.has(name)) return;
      seen.add(name);
      if (seen.size !== 3) return;
      watcher.close();
      setTimeout(() => child.kill('SIGKILL'), 40);
    });
    child.once('exit', (code, signal) => {
      watcher.close();
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`cli train ended by itself (code ${code}) before the kill`));
    });
    // Ended while this process waited for its folder (a starved test process): its exit event is past, so say so now.
    if (child.exitCode !== null || child.signalCode !== null) {
      watcher.close();
      reject(new Error(`cli train ended (code ${child.exitCode}) before its checkpoints could be watched: the machine is too busy for this test`));
    }
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
const numbers = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { updates_per_s: _u, env_steps_per_s: _e, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });

describe('kill -9 of SAC and D4PG runs', () => {
  it('resumes each to exactly the uninterrupted run', async () => {
    const runsDir = join(tmp.dir, 'runs');
    await Promise.all(
      CONFIGS.map(async ([algo, input]) => {
        const cfgPath = join(tmp.dir, `${algo}.json`);
        writeFileSync(cfgPath, JSON.stringify(input));
        const full = train(cfgPath, join(runsDir, `${algo}-full`));
        const killed = train(cfgPath, join(runsDir, `${algo}-killed`));
        await killAfterCheckpoint(killed, join(runsDir, `${algo}-killed`));
        expect(await exited(full)).toBe(0);
      }),
    );
    const engine = new Engine({ runsDir });
    try {
      const client = engine.client();
      for (const [algo] of CONFIGS) await client.request('train.start', { id: `${algo}-killed` });
      for (const [algo] of CONFIGS) expect(await engine.training.wait(`${algo}-killed`)).toBe('finished');
    } finally {
      await engine.close();
    }
    for (const [algo] of CONFIGS) {
      const full = join(runsDir, `${algo}-full`);
      const killed = join(runsDir, `${algo}-killed`);
      expect(numbers(killed), algo).toEqual(numbers(full));
      expect(readFileSync(join(killed, 'eval.json'), 'utf8')).toBe(readFileSync(join(full, 'eval.json'), 'utf8'));
      const last = (dir: string) => {
        const store = new CheckpointStore(join(dir, 'checkpoints'));
        return store.read(store.resolve('last')).snapshot.arrays;
      };
      const a = last(full);
      const b = last(killed);
      for (const k of Object.keys(a).filter((k) => k.startsWith('learner.')))
        expect(Buffer.from(b[k]!.buffer).equals(Buffer.from(a[k]!.buffer)), `${algo} ${k}`).toBe(true);
    }
  }, 120_000);
});
