/**
 * kill -9 of `cli train` at random points of 20 runs, every fourth in the middle of writing
 * a checkpoint: every run folder stays readable (run.json, config.json, a loadable checkpoint)
 * and is listed as "interrupted" at its checkpoint's step; the first six resume to the end with
 * each evaluation exactly once and the training log without gaps or repeats.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/core/rng.js';
import { CheckpointStore } from '../../src-main/rl/checkpoint/store.js';
import { Engine } from '../../src-main/services/engine.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyConfig } from '../unit/rl/fake-job.js';

const tmp = tempDir('drive-lab-kill9-');
afterAll(() => tmp.cleanup());

const CLI = join(import.meta.dirname, '../../src-main/cli/bin.ts');
const RUNS = 20;
/** CLI processes alive at once (each loads TF.js; more would only queue on a 2-core machine). */
const AT_ONCE = 4;
/** Runs resumed to the end after the kills (each resume loads TF.js in a worker thread). */
const RESUMED = 6;
const TOTAL = 300;

/** Resolves when `dir` exists (the CLI creates the run folder after it starts). */
async function folder(dir: string, child: ChildProcess): Promise<void> {
  while (!existsSync(dir)) {
    if (child.exitCode !== null) throw new Error(`cli train ended (code ${child.exitCode}) before creating ${dir}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills `child` with SIGKILL when the k-th checkpoint write starts, plus `delayMs` (0: mid-checkpoint). */
function killAtCheckpoint(child: ChildProcess, checkpoints: string, k: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const seen = new Set<string>();
    const watcher = watch(checkpoints, (_e, name) => {
      if (!name?.startsWith('.tmp-ckpt-') || seen.has(name)) return;
      seen.add(name);
      if (seen.size !== k) return;
      watcher.close();
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.once('exit', (code, signal) => {
      watcher.close();
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`cli train ended by itself (code ${code}) before the kill at checkpoint ${k}`));
    });
  });
}

describe('kill -9 at random points of several runs', () => {
  it('leaves every run readable, listed as interrupted, and resumable to the same end', async () => {
    const cfgPath = join(tmp.dir, 'config.json');
    writeFileSync(cfgPath, JSON.stringify(tinyConfig({ totalSteps: TOTAL, evalEvery: 150, checkpointEvery: 25, logEvery: 100 })));
    const runsDir = join(tmp.dir, 'runs');
    const rng = new Rng(20261207);
    // Every fourth run dies mid-checkpoint; the others at a random moment after a random checkpoint.
    const plan = Array.from({ length: RUNS }, (_, i) => ({ k: 2 + Math.floor(rng.next() * 7), delayMs: i % 4 === 0 ? 0 : Math.floor(rng.next() * 300) }));
    const dirs = plan.map((_, i) => join(runsDir, `killed-${i}`));
    let next = 0;
    const killOne = async (i: number) => {
      const { k, delayMs } = plan[i]!;
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'train', '--config', cfgPath, '--out', dirs[i]!, '--json'], { stdio: 'ignore' });
      await folder(join(dirs[i]!, 'checkpoints'), child);
      await killAtCheckpoint(child, join(dirs[i]!, 'checkpoints'), k, delayMs);
    };
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < RUNS) await killOne(next++);
      }),
    );

    const engine = new Engine({ runsDir });
    try {
      const listed = new Map(engine.store.list().map((r) => [r.id, r]));
      for (const dir of dirs) {
        const id = dir.slice(runsDir.length + 1);
        const latest = new CheckpointStore(join(dir, 'checkpoints')).loadLatest();
        expect(latest, `${id} has a loadable checkpoint`).toBeDefined();
        // Recovery at engine start recorded it; the listing shows where it resumes.
        expect(listed.get(id)).toMatchObject({ status: 'interrupted', step: latest!.ref.step });
        expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status).toBe('interrupted');
        expect(existsSync(join(dir, 'owner.json'))).toBe(false);
      }
      const client = engine.client();
      // Every run was checked above; the first RESUMED (two of them killed mid-checkpoint) also
      // train on to the end, which is where a damaged file would show.
      const resumed = dirs.slice(0, RESUMED);
      const ids = resumed.map((d) => d.slice(runsDir.length + 1));
      for (const id of ids) await client.request('train.start', { id });
      for (const id of ids) expect(await engine.training.wait(id)).toBe('finished');
      for (const dir of resumed) {
        const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { kind: string; step: number });
        expect(lines.filter((l) => l.kind === 'eval').map((l) => l.step)).toEqual([150, 300]);
        const train = lines.filter((l) => l.kind === 'train').map((l) => l.step);
        expect(train).toEqual(Array.from({ length: TOTAL / 100 }, (_, j) => (j + 1) * 100));
        expect(readdirSync(join(dir, 'checkpoints')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
      }
    } finally {
      await engine.close();
    }
  }, 300_000);
});
