/**
 * Runs the parity cases (cases.ts) on one backend in a process of its own (tfjs backends are
 * per process) and writes their weights as JSON to a file. Run by parity.ts:
 *   node --import tsx bench/gpu/parity-child.ts <backend> <case,case,...> <out.json>
 */
import { writeFileSync } from 'node:fs';
import { selectBackend } from '../../src-main/ml/backend.js';
import { BackendName } from '../../src-shared/types.js';
import { PARITY_CASES, runCase, type ParityCase } from './cases.js';

export interface ParityChildOutput {
  backend: string;
  detail: string;
  cases: Record<string, { ms: number; weights: number[][] }>;
}

const [backendArg, caseArg, out] = process.argv.slice(2);
const backend = BackendName.parse(backendArg);
const cases = (caseArg ?? '').split(',').filter(Boolean) as ParityCase[];
for (const c of cases) if (!PARITY_CASES.includes(c)) throw new Error(`unknown case ${c} (use ${PARITY_CASES.join(', ')})`);
if (!out) throw new Error('usage: parity-child.ts <backend> <cases> <out.json>');
const info = await selectBackend(backend);
const result: ParityChildOutput = { backend, detail: info.reason, cases: {} };
for (const c of cases) {
  const r = await runCase(c);
  result.cases[c] = { ms: r.ms, weights: r.weights.map((w) => Array.from(w)) };
  process.stderr.write(`${backend} ${c}: ${r.ms.toFixed(0)} ms\n`);
}
writeFileSync(out, JSON.stringify(result));
// Dawn keeps the event loop alive while its device lives.
process.exit(0);
