import type { Command } from 'commander';
import type { RunSummary } from '../../../src-shared/types.js';
import { globalOptions, openEngine, output } from '../context.js';

function table(runs: RunSummary[]): string {
  if (!runs.length) return 'no runs yet';
  const rows = runs.map((r) => [r.id, r.name, r.env, r.algo, r.status, `${r.step}/${r.totalSteps}`, r.bestEval === null ? '-' : r.bestEval.toFixed(1)]);
  const head = ['id', 'name', 'env', 'algo', 'status', 'steps', 'best eval'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const damaged = runs
    .filter((r) => r.damage)
    .map((r) => `damaged: ${r.id}: ${r.damage!.file} is ${r.damage!.reason} ("runs repair ${r.id}" rebuilds what it can)`);
  return [line(head), ...rows.map(line), ...damaged].join('\n');
}

export function register(program: Command): void {
  const runs = program.command('runs').description('List, show, rename and delete runs in the runs folder.');
  runs
    .command('list', { isDefault: true })
    .description('List runs, newest first.')
    .action(async (_o, cmd: Command) => {
      const g = globalOptions(cmd);
      const list = await openEngine(g).client.request('runs.list', {});
      output(g, list, () => table(list));
    });
  runs
    .command('show <id>')
    .description('Show one run with its full config.')
    .action(async (id: string, _o, cmd: Command) => {
      const g = globalOptions(cmd);
      const run = await openEngine(g).client.request('runs.get', { id });
      output(g, run, () => JSON.stringify(run, null, 2));
    });
  runs
    .command('rename <id> <name>')
    .description('Rename a run.')
    .action(async (id: string, name: string, _o, cmd: Command) => {
      const g = globalOptions(cmd);
      const run = await openEngine(g).client.request('runs.rename', { id, name });
      output(g, run, () => `renamed ${id} to "${run.name}"`);
    });
  runs
    .command('repair <id>')
    .description("Rebuild a damaged run.json from the run's config, checkpoints and metrics (the damaged file is kept).")
    .action(async (id: string, _o, cmd: Command) => {
      const g = globalOptions(cmd);
      const r = await openEngine(g).client.request('runs.repair', { id });
      output(g, r, () =>
        r.repaired.length ? r.repaired.map((l) => `repaired ${l}`).join('\n') : `${id}: nothing to repair (run.json and config.json read fine)`,
      );
    });
  runs
    .command('delete <id>')
    .description('Delete a run folder and everything in it.')
    .action(async (id: string, _o, cmd: Command) => {
      const g = globalOptions(cmd);
      const r = await openEngine(g).client.request('runs.delete', { id });
      output(g, r, () => `deleted ${id}`);
    });
}
