/**
 * Busy processes that compete for the cores (a tight loop each, like a browser tab or a build on
 * a user's laptop), for the benches that measure how training holds up on a busy machine
 * (`bench ml --competitors`, `bench drive --competitors`).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** The loop each competitor runs. */
export const COMPETITOR_LOOP = 'let x = 0; for (;;) x = (x + Math.sqrt(x + 1)) % 1e9;';

/** Starts n busy processes; stop() ends them (also when this process exits). */
export function startCompetitors(n: number): { pids: number[]; stop: () => void } {
  const kids: ChildProcess[] = [];
  for (let i = 0; i < n; i++) kids.push(spawn(process.execPath, ['-e', COMPETITOR_LOOP], { stdio: 'ignore' }));
  const stop = () => {
    for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
    process.off('exit', stop);
  };
  process.on('exit', stop);
  return { pids: kids.map((k) => k.pid ?? -1), stop };
}
