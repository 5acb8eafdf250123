/**
 * Redis on loopback for `bench actors` and the tests: starts `redis-server` (when installed) on
 * a free port of 127.0.0.1 with persistence off, and actor processes (`cli actor`) against it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TransportFactory } from '../../src-main/rl/actors/async-trainer.js';
import { redisTransport } from '../../src-main/rl/actors/redis/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The redis-server binary, or undefined when none is installed. */
export function redisServerBinary(): string | undefined {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (spawnSync(p, ['--version']).status === 0) return p;
  }
  const which = spawnSync('sh', ['-c', 'command -v redis-server']);
  const found = which.stdout?.toString().trim();
  return which.status === 0 && found ? found : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port (extra config lines, e.g. an ACL user, as arguments). */
export async function startRedisServer(extraArgs: string[] = []): Promise<RedisServer | undefined> {
  const bin = redisServerBinary();
  if (!bin) return undefined;
  const port = await freePort();
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out.slice(-500)}`)), 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}: ${out.slice(-500)}`));
    });
  });
  proc.stdout!.removeAllListeners('data');
  proc.stdout!.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Starts `npm run cli -- actor --redis url --run id` as a child process. */
export function spawnActor(url: string, runId: string, backend: string, onLine?: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/bin.ts', '--backend', backend, 'actor', '--redis', url, '--run', runId], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = (d: Buffer) => {
    for (const l of d.toString().split('\n')) if (l.trim()) onLine?.(l);
  };
  child.stdout!.on('data', lines);
  child.stderr!.on('data', lines);
  return child;
}

/** Waits for a child process to end (kills it after `ms`). */
export function ended(child: ChildProcess, ms = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** What `bench actors` needs for its Redis rows, or undefined without a redis-server binary. */
export async function benchRedis(): Promise<
  | {
      factory: (runId: string) => TransportFactory;
      startActors: (runId: string, n: number, backend: string) => () => Promise<void>;
      close: () => Promise<void>;
    }
  | undefined
> {
  const server = await startRedisServer();
  if (!server) return undefined;
  return {
    factory: (runId) => redisTransport(server.url, runId),
    startActors: (runId, n, backend) => {
      const kids = Array.from({ length: n }, () => spawnActor(server.url, runId, backend));
      return async () => {
        for (const k of kids) k.kill('SIGINT');
        await Promise.all(kids.map((k) => ended(k)));
      };
    },
    close: () => server.stop(),
  };
}
