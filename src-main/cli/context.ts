/**
 * What every CLI command shares: global options, the engine, output and error conventions.
 *
 * The engine runs in this process, and commands reach it through its public contract (an
 * EngineClient: src-shared/contract.ts requests and events), as the app and browser mode do:
 * creating, starting, watching, resuming, stopping and listing runs. This file is the only one
 * of the CLI that constructs the Engine (and `serve`, which hands it to the WebSocket server).
 * Offline commands that read files and need no engine use the libraries directly: `eval` and
 * `policy` load checkpoints and exports, `export` writes one, `rollout`/`lane`/`bench` step the
 * simulators, and `train --init-policy` checks the export as `policy check` does before anything
 * is created; a finished run's result files (eval.json, report.json) are read from the folder
 * the contract names, and a run given as a folder path is recognised by its run.json
 * (run-command.ts locateRun) to know which runs folder to open.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { z } from 'zod';
import { COUNT_MAX } from '../../src-shared/config/limits.js';
import { BackendChoice } from '../../src-shared/config/run-config.js';
import type { EngineClient } from '../../src-shared/contract.js';
import { ContractError, formatIssues } from '../../src-shared/protocol.js';
import { defaultRunsDir } from '../core/paths.js';
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

/**
 * The runs folder must be a folder (or creatable as one): a one-line exit 2 instead of a raw
 * EEXIST/ENOTDIR stack from deep inside the engine.
 */
export function checkRunsDir(runsDir: string | undefined, option = '--runs-dir'): string {
  const dir = resolve(defaultRunsDir(runsDir));
  const named =
    runsDir !== undefined ? `${option} ${runsDir}` : process.env.DRIVE_LAB_RUNS_DIR !== undefined ? `$DRIVE_LAB_RUNS_DIR (${dir})` : `the runs folder ${dir}`;
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(d)) {
      if (!statSync(d).isDirectory()) throw new CliError(d === dir ? `${named} is not a folder` : `${named}: ${d} is a file, not a folder`);
      break;
    }
    if (dirname(d) === d) break;
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(`${named}: cannot create the runs folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return dir;
}

/** The in-process engine itself: only for `serve`, which hands it to the WebSocket server. */
export function createEngine(opts: GlobalOptions): Engine {
  return new Engine({ runsDir: checkRunsDir(opts.runsDir), backend: opts.backend });
}

/** What commands use of the engine: its contract, and a close that stops whatever still trains. */
export interface EngineHandle {
  client: EngineClient;
  close(): Promise<void>;
}

export function openEngine(opts: GlobalOptions, runsDir: string | undefined = opts.runsDir, option = '--runs-dir'): EngineHandle {
  const engine = new Engine({ runsDir: checkRunsDir(runsDir, option), backend: opts.backend });
  return { client: engine.client(), close: () => engine.close() };
}

/** Prints a result: JSON with --json, else the human text. */
export function output(opts: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
}

/**
 * Numbers on the command line are decimal: digits with an optional fraction and exponent
 * ("250", "0.5", "1e6"). Hex, octal and binary ("0x10", "0o7", "0b1"), "Infinity", empty
 * strings and surrounding spaces, all of which Number() takes, are refused.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseDecimal(name: string, raw: string, what: string): number {
  const n = DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new CliError(`${name} must be ${what} written in decimal (got "${raw}")`);
  return n;
}

/** Parses an integer option in [min, max], with a one-line error naming the option and its limits. */
export function intOption(name: string, raw: string | undefined, min = 0, max = COUNT_MAX): number | undefined {
  if (raw === undefined) return undefined;
  const n = parseDecimal(name, raw, `an integer >= ${min}`);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be an integer >= ${min} (got "${raw}")`);
  if (n > max) throw new CliError(`${name} must be at most ${max} (got "${raw}")`);
  return n;
}

/** Parses a number option in [min, max] ((min, max] with minExclusive), naming the limits. */
export function numberOption(name: string, raw: string | undefined, b: { min: number; max: number; minExclusive?: boolean }): number | undefined {
  if (raw === undefined) return undefined;
  const range = `${b.minExclusive ? `> ${b.min}` : `>= ${b.min}`} and <= ${b.max}`;
  const n = parseDecimal(name, raw, `a number ${range}`);
  if ((b.minExclusive ? n <= b.min : n < b.min) || n > b.max) throw new CliError(`${name} must be a number ${range} (got "${raw}")`);
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
