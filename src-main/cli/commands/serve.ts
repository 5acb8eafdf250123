import type { Command } from 'commander';
import { serve } from '../../server/serve.js';
import { isLoopbackHost } from '../../server/ws-server.js';
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
      const port = intOption('--port', o.port, 0, 65535)!;
      // Checked here too (serve() refuses as well) so that it is bad input (exit 2), said in one line.
      if (!isLoopbackHost(o.host) && !o.allowRemote)
        throw new CliError(`--host ${o.host} is not a loopback address; add --allow-remote to serve other machines (clients then need the printed token)`);
      const engine = createEngine(g);
      const running = await serve(engine, { host: o.host, port, allowRemote: o.allowRemote });
      const client = engine.client();
      const status = await client.request('engine.status', {}).catch((e: Error) => ({ backend: { name: 'none', reason: e.message }, runsDir: '?' }));
      if (g.json) {
        process.stdout.write(JSON.stringify({ url: running.openUrl, backend: status.backend.name }) + '\n');
      } else {
        process.stdout.write(
          `Drive Lab is serving at ${running.openUrl}\nML backend: ${status.backend.name} (${status.backend.reason})\nruns folder: ${status.runsDir}\nPress Ctrl+C to stop.\n`,
        );
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
