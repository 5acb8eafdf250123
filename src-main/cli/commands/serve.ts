import type { Command } from 'commander';
import { serve } from '../../server/serve.js';
import { CliError, createEngine, globalOptions, intOption } from '../context.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve the app as a web page on 127.0.0.1 with the engine over WebSocket (browser mode).')
    .option('--host <address>', 'address to listen on (loopback unless --allow-remote)', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '5317')
    .option('--allow-remote', 'allow a non-loopback --host; clients must then present the printed token')
    .action(async (o: { host: string; port: string; allowRemote?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const port = intOption('--port', o.port, 0)!;
      if (port > 65535) throw new CliError('--port must be <= 65535');
      const engine = createEngine(g);
      const running = await serve(engine, { host: o.host, port, allowRemote: o.allowRemote });
      const backend = await engine.backend().catch((e: Error) => ({ name: 'none', reason: e.message }));
      if (g.json) {
        process.stdout.write(JSON.stringify({ url: running.openUrl, backend: backend.name }) + '\n');
      } else {
        process.stdout.write(`Drive Lab is serving at ${running.openUrl}\nML backend: ${backend.name} (${backend.reason})\nruns folder: ${engine.store.root}\nPress Ctrl+C to stop.\n`);
      }
      const shutdown = async () => {
        await engine.close();
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
