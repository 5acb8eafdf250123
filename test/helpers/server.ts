/** Starts the engine and browser-mode server in this process for a test. */
import { Engine } from '../../src-main/services/engine.js';
import { serve, type RunningServer, type ServeOptions } from '../../src-main/server/serve.js';
import { tempDir } from './tmp.js';

export async function startServer(options: ServeOptions = {}): Promise<{ engine: Engine; server: RunningServer; runsDir: string; stop: () => Promise<void> }> {
  const tmp = tempDir('drive-lab-runs-');
  const engine = new Engine({ runsDir: tmp.dir });
  const server = await serve(engine, { port: 0, ...options });
  return {
    engine,
    server,
    runsDir: tmp.dir,
    stop: async () => {
      await server.close();
      await engine.close();
      tmp.cleanup();
    },
  };
}
