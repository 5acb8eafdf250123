/**
 * Seed lists on the command line: "1,2,3", ranges "0-9" or "100..109", named ranges such as
 * "test:10" (the first 10 seeds of a range the caller names), or a mix ("0-2,10,test:5").
 */
import { SEEDS_MAX as MAX_SEEDS } from '../../src-shared/config/limits.js';
import { CliError } from './context.js';

export interface SeedRange {
  first: number;
  count: number;
}

export function parseSeeds(raw: string, option = '--seeds', named: Record<string, SeedRange> = {}): number[] {
  const seeds: number[] = [];
  const names = Object.keys(named);
  const hint = `a list like 1,2,3 or a range like 0-9 or 100..109${names.length ? ` or ${names.map((n) => `${n}:N`).join(' / ')}` : ''}`;
  for (const part of raw.split(',').map((s) => s.trim())) {
    const byName = /^([a-z]+):(\d+)$/.exec(part);
    if (byName && named[byName[1]!]) {
      const range = named[byName[1]!]!;
      const n = Number(byName[2]);
      if (n < 1 || n > range.count) throw new CliError(`${option} ${part}: the count must be 1..${range.count}`);
      for (let i = 0; i < n; i++) seeds.push(range.first + i);
      continue;
    }
    const m = /^(\d+)(?:(?:-|\.\.)(\d+))?$/.exec(part);
    if (!m) throw new CliError(`${option} must be ${hint} (got "${raw}")`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b > 0xffffffff) throw new CliError(`${option}: bad range "${part}"`);
    if (seeds.length + (b - a + 1) > MAX_SEEDS) throw new CliError(`${option}: at most ${MAX_SEEDS} seeds`);
    for (let s = a; s <= b; s++) seeds.push(s);
  }
  return seeds;
}
