/**
 * `npm run cli -- export --run <run folder or id> [--checkpoint best|last|N] [--format tfjs,onnx] [--out DIR]`:
 * exports one checkpoint's deterministic actor, verified (ONNX vs the TF.js actor on 1,000
 * random valid inputs), with metadata.json and a README. See src-main/export.
 */
import type { Command } from 'commander';
import { defaultRunsDir } from '../../core/paths.js';
import { ExportError } from '../../export/errors.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../export/load.js';
import { exportRun, parseCheckpointSelector, resolveRunDir } from '../../export/run-source.js';
import { selectBackend } from '../../ml/backend.js';
import { CliError, globalOptions, output } from '../context.js';

/** ExportError -> CliError: a failed verification is a failure (1), everything else bad input (2). */
export function cliExportError(e: unknown): unknown {
  return e instanceof ExportError ? new CliError(e.message, e.code === 'verification' ? 1 : 2) : e;
}

export function parseFormats(raw: string | undefined): ExportFormat[] {
  if (raw === undefined) return [...EXPORT_FORMATS];
  const list = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (!list.length) throw new CliError(`--format needs at least one of ${EXPORT_FORMATS.join(', ')}`);
  for (const f of list)
    if (!EXPORT_FORMATS.includes(f as ExportFormat)) throw new CliError(`--format: unknown format "${f}" (use ${EXPORT_FORMATS.join(', ')})`);
  return [...new Set(list)] as ExportFormat[];
}

export function register(program: Command): void {
  program
    .command('export')
    .description("Export a run's trained policy (deterministic actor) as TF.js and/or ONNX, verified, with metadata and a README.")
    .requiredOption('--run <run>', 'run folder, or run id in the runs folder')
    .option('--checkpoint <which>', 'best (best evaluation), last, or an env step number', 'best')
    .option('--format <list>', `comma-separated formats: ${EXPORT_FORMATS.join(', ')}`, EXPORT_FORMATS.join(','))
    .option('--out <dir>', 'export folder (default: <run>/exports/<checkpoint>-<time>)')
    .option('--force', 'replace an existing export folder (after the new export verified)')
    .action(async (o: { run: string; checkpoint: string; format: string; out?: string; force?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const formats = parseFormats(o.format);
      try {
        const checkpoint = parseCheckpointSelector(o.checkpoint);
        const runDir = resolveRunDir(o.run, defaultRunsDir(g.runsDir));
        await selectBackend(g.backend);
        const r = await exportRun({
          runDir,
          checkpoint,
          outDir: o.out,
          options: { formats, overwrite: Boolean(o.force), onProgress: (s) => !g.json && process.stderr.write(`export: ${s}\n`) },
        });
        output(g, { dir: r.dir, files: r.files, verification: r.metadata.verification, envId: r.metadata.envId, algo: r.metadata.algo }, () =>
          [
            `exported to ${r.dir}`,
            `files: ${r.files.join(', ')}`,
            `verified on ${r.metadata.verification.samples} inputs: max abs difference ${JSON.stringify(r.metadata.verification.maxAbsDiff)}`,
          ].join('\n'),
        );
      } catch (e) {
        throw cliExportError(e);
      }
    });
}
