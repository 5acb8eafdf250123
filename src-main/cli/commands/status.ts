import type { Command } from 'commander';
import { globalOptions, openEngine, output } from '../context.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('Show the engine status: version, ML backend (and why), runs folder, machine.')
    .action(async (_opts, cmd: Command) => {
      const g = globalOptions(cmd);
      const engine = openEngine(g);
      const s = await engine.client.request('engine.status', {});
      output(g, s, () =>
        [
          `${s.app} ${s.version}`,
          `ML backend: ${s.backend.name} (${s.backend.reason})`,
          ...s.backend.tried.filter((t) => !t.ok).map((t) => `  skipped ${t.name}: ${t.detail}`),
          `runs folder: ${s.runsDir}`,
          `machine: ${s.platform}, ${s.cpus} cores, Node ${s.nodeVersion}`,
        ].join('\n'),
      );
      await engine.close();
    });
}
