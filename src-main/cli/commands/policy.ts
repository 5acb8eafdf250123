/**
 * `npm run cli -- policy run --model DIR [--env ID] [--seeds 0,1,2] [--episodes N] [--format auto|tfjs|onnx]`:
 * evaluates an exported policy in the simulator with the standalone runner (no learner code):
 * deterministic, per-seed returns and their mean.
 * `npm run cli -- policy check --model DIR`: checks an export (hashes, shapes, graph) without running it.
 */
import type { Command } from 'commander';
import { EnvConfig, ENV_IDS } from '../../../src-shared/config/envs/index.js';
import { loadExportedPolicy, openExport, readMetadata, type ExportFormat } from '../../export/load.js';
import { evaluatePolicy } from '../../export/runner.js';
import { selectBackend } from '../../ml/backend.js';
import { CliError, globalOptions, intOption, output, Progress } from '../context.js';
import { parseSeeds } from '../seeds.js';
import { cliExportError } from './export.js';

function parseFormat(raw: string): ExportFormat | 'auto' {
  if (raw === 'auto' || raw === 'tfjs' || raw === 'onnx') return raw;
  throw new CliError(`--format must be auto, tfjs or onnx (got "${raw}")`);
}

/** The env to run: --env if given (must be the export's), with the export's env options when it saved them. */
export function envFor(meta: { envId: string; config: unknown }, envArg: string | undefined): EnvConfig {
  const id = envArg ?? meta.envId;
  if (!(ENV_IDS as string[]).includes(id)) throw new CliError(`--env: unknown env "${id}" (envs: ${ENV_IDS.join(', ')})`);
  if (id !== meta.envId) throw new CliError(`this policy was exported for "${meta.envId}", not "${id}"`);
  const saved = (meta.config as { env?: unknown } | null)?.env;
  const fromRun = EnvConfig.safeParse(saved);
  return fromRun.success && fromRun.data.id === id ? fromRun.data : EnvConfig.parse({ id });
}

export function register(program: Command): void {
  const policy = program.command('policy').description('Run or check an exported policy (TF.js or ONNX export folder) without the training code.');
  policy
    .command('run')
    .description('Evaluate an exported policy in the simulator: deterministic per-seed returns and their mean.')
    .requiredOption('--model <dir>', 'export folder (with metadata.json)')
    .option('--env <id>', "env id (default: the export's env)")
    .option('--seeds <list>', 'seeds, e.g. 0,1,2 or 0-9', '0')
    .option('--episodes <n>', 'episodes per seed (the first resets with the seed, the next continue its RNG)', '1')
    .option('--format <format>', 'which model file to run: auto (ONNX if present), tfjs or onnx', 'auto')
    .action(async (o: { model: string; env?: string; seeds: string; episodes: string; format: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const seeds = parseSeeds(o.seeds);
      const episodes = intOption('--episodes', o.episodes, 1)!;
      const want = parseFormat(o.format);
      try {
        const { meta } = readMetadata(o.model);
        const env = envFor(meta, o.env);
        const format: ExportFormat = want === 'auto' ? (meta.formats.onnx ? 'onnx' : 'tfjs') : want;
        const backend = format === 'tfjs' ? (await selectBackend(g.backend)).name : undefined;
        const loaded = await loadExportedPolicy(o.model, { format });
        const progress = new Progress(g, 'policy run', seeds.length * episodes);
        let result;
        try {
          result = await evaluatePolicy((obs) => loaded.act(obs), env, {
            seeds,
            episodes,
            onEpisode: (done, _t, ret) => progress.update(done, `return ${ret.toFixed(1)}`),
          });
        } finally {
          progress.stop();
          await loaded.dispose();
        }
        const value = { model: o.model, format, ...(backend ? { backend } : {}), env, ...result };
        output(g, value, () =>
          [
            `${meta.envId} (${meta.algo}) from ${format}, ${episodes} episode(s) per seed`,
            ...result.seeds.map(
              (s) => `seed ${s.seed}: return ${s.meanReturn.toFixed(3)}${s.returns.length > 1 ? ` (${s.returns.map((r) => r.toFixed(1)).join(', ')})` : ''}`,
            ),
            `mean return ${result.meanReturn.toFixed(3)} +- ${result.stdReturn.toFixed(3)} over ${result.episodes} episode(s)`,
          ].join('\n'),
        );
      } catch (e) {
        throw cliExportError(e);
      }
    });
  policy
    .command('check')
    .description('Check an export folder (hashes, metadata, model shapes and graph) without running it.')
    .requiredOption('--model <dir>', 'export folder (with metadata.json)')
    .action(async (o: { model: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      try {
        const opened = await openExport(o.model);
        const m = opened.meta;
        const value = {
          ok: true,
          model: o.model,
          envId: m.envId,
          algo: m.algo,
          formats: opened.formats,
          architecture: m.architecture,
          verification: m.verification,
          files: Object.keys(m.files),
        };
        output(g, value, () =>
          [
            `ok: ${o.model}`,
            `${m.envId} (${m.algo}), formats ${opened.formats.join(', ')}, exported ${m.createdAt} by ${m.producer.app} ${m.producer.version}`,
            `inputs ${m.io.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join(', ')} -> ${m.io.output.name} [${m.io.output.shape.join(', ')}]`,
            `verified at export on ${m.verification.samples} inputs: max abs difference ${JSON.stringify(m.verification.maxAbsDiff)}`,
          ].join('\n'),
        );
      } catch (e) {
        throw cliExportError(e);
      }
    });
}
