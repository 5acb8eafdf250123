/**
 * `npm start`: launches the built desktop app. The Electron binary downloads on first use; where
 * that is impossible (no internet), say so in one line and point to browser mode instead of
 * printing a stack trace.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const appRoot = fileURLToPath(new URL('../..', import.meta.url));

let electronBinary: string;
try {
  // The electron package exports the binary's path, downloading it first if needed.
  electronBinary = require('electron') as unknown as string;
} catch (e) {
  const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
  process.stderr.write(
    `error: the Electron binary is not available (${why}). It downloads on first start and needs internet; ` + `until then use browser mode: npm run serve\n`,
  );
  process.exit(1);
}

const child = spawn(electronBinary, [appRoot, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
