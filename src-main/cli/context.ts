/** What every CLI command shares: global options, the engine, output and error conventions. */
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { BackendChoice } from '../../src-shared/config/run-config.js';
import { ContractError, formatIssues } from '../../src-shared/protocol.js';
import { Engine } from '../services/engine.js';

/** A failure with a one-line reason; `exitCode` 2 means bad input, 1 a failure while working. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface GlobalOptions {
  runsDir?: string;
  json: boolean;
  backend: BackendChoice;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { runsDir?: string; json?: boolean; backend?: string };
  const backend = BackendChoice.safeParse(o.backend ?? 'auto');
  if (!backend.success) throw new CliError(`--backend must be one of ${BackendChoice.options.join(', ')}`);
  return { runsDir: o.runsDir, json: Boolean(o.json), backend: backend.data };
}

export function createEngine(opts: GlobalOptions): Engine {
  return new Engine({ runsDir: opts.runsDir, backend: opts.backend });
}

/** Prints a result: JSON with --json, else the human text. */
export function output(opts: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
}

/** Parses a number option, with a one-line error naming the option. */
export function intOption(name: string, raw: string | undefined, min = 0): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be an integer >= ${min} (got "${raw}")`);
  return n;
}

/** Turns any error into the one line the CLI prints. */
export function errorLine(e: unknown): { message: string; exitCode: number } {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof ContractError) {
    const detail = e.issues?.length ? ` (${e.issues.join('; ')})` : '';
    return { message: `${e.message}${detail}`, exitCode: e.code === 'internal' ? 1 : 2 };
  }
  if (e instanceof z.ZodError) return { message: formatIssues(e).join('; '), exitCode: 2 };
  if (e instanceof Error) return { message: e.message.split('\n')[0] ?? 'failed', exitCode: 1 };
  return { message: String(e), exitCode: 1 };
}

/**
 * Progress on long work: a bar on a terminal, a line every 10% when piped, nothing with --json
 * (which keeps stdout machine-readable; progress never goes to stdout).
 */
export class Progress {
  private bar: SingleBar | undefined;
  private lastDecile = -1;
  constructor(
    private readonly opts: GlobalOptions,
    private readonly label: string,
    private readonly total: number,
  ) {
    if (!opts.json && process.stderr.isTTY) {
      this.bar = new SingleBar(
        { format: `${label} [{bar}] {percentage}% | {value}/{total} | {info}`, stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
      this.bar.start(total, 0, { info: '' });
    }
  }
  update(value: number, info = ''): void {
    if (this.bar) {
      this.bar.update(Math.min(value, this.total), { info });
      return;
    }
    if (this.opts.json) return;
    const decile = Math.floor((10 * value) / Math.max(1, this.total));
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      process.stderr.write(`${this.label}: ${value}/${this.total} ${info}\n`);
    }
  }
  stop(): void {
    this.bar?.stop();
  }
}
