/** Seed lists on the command line: "1,2,3", ranges "0-9" or "100..109", or a mix ("0-2,10"). */
import { CliError } from './context.js';

/** Most seeds one command takes. */
const MAX_SEEDS = 100_000;

export function parseSeeds(raw: string, option = '--seeds'): number[] {
  const seeds: number[] = [];
  for (const part of raw.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:(?:-|\.\.)(\d+))?$/.exec(part);
    if (!m) throw new CliError(`${option} must be a list like 1,2,3 or a range like 0-9 or 100..109 (got "${raw}")`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b > 0xffffffff) throw new CliError(`${option}: bad range "${part}"`);
    if (seeds.length + (b - a + 1) > MAX_SEEDS) throw new CliError(`${option}: at most ${MAX_SEEDS} seeds`);
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  return seeds;
}
