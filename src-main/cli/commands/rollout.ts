/**
 * `npm run cli -- rollout --env <id> --seed S --actions FILE.json [--json]`: replays an action
 * sequence in an env and prints the trajectory (obs, reward, terminated, truncated per step), for
 * debugging envs and checking them against reference implementations. The actions file is a JSON
 * array with one entry per step: a number (1-D actions) or an array of numbers in [-1, 1].
 */
import type { Command } from 'commander';
import { EnvConfig, ENV_IDS } from '../../../src-shared/config/envs/index.js';
import { makeEnv } from '../../sim/registry.js';
import { collect, mergeInput, parseSet, readJsonFile } from '../config-input.js';
import { CliError, globalOptions, intOption, output } from '../context.js';

interface RolloutOptions {
  env?: string;
  seed?: string;
  actions?: string;
  set: string[];
}

function parseActions(raw: unknown, actDim: number, file: string): number[][] {
  if (!Array.isArray(raw)) throw new CliError(`${file} must hold a JSON array of actions`);
  return raw.map((a, t) => {
    const row = typeof a === 'number' ? [a] : a;
    if (!Array.isArray(row) || row.length !== actDim || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new CliError(`${file}: action ${t} must be ${actDim === 1 ? 'a number or ' : ''}an array of ${actDim} finite numbers`);
    }
    return row as number[];
  });
}

export function register(program: Command): void {
  program
    .command('rollout')
    .description('Replay an action sequence in an env and print the trajectory (obs, reward, terminated, truncated per step).')
    .option('--env <id>', `environment: ${ENV_IDS.join(', ')}`)
    .option('--seed <n>', 'reset seed', '0')
    .option('--actions <file>', 'JSON array: one action per step (a number, or an array of numbers in [-1, 1])')
    .option('--set <key=value>', 'env option, e.g. maxEpisodeSteps=50 (repeatable)', collect, [])
    .action((o: RolloutOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!o.env) throw new CliError(`--env is required (one of ${ENV_IDS.join(', ')})`);
      if (!(ENV_IDS as string[]).includes(o.env)) throw new CliError(`--env must be one of ${ENV_IDS.join(', ')} (got "${o.env}")`);
      if (!o.actions) throw new CliError('--actions <file> is required');
      const seed = intOption('--seed', o.seed, 0)!;
      let envInput: Record<string, unknown> = { id: o.env };
      for (const s of o.set) {
        const { path, patch } = parseSet(s.startsWith('env.') ? s.slice(4) : s);
        if (path[0] === 'id') throw new CliError('use --env to choose the env');
        envInput = mergeInput(envInput, patch);
      }
      const parsed = EnvConfig.safeParse(envInput);
      if (!parsed.success) throw new CliError(`invalid env options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      for (const k of Object.keys(envInput)) if (!(k in parsed.data)) throw new CliError(`unknown env option "${k}" for ${o.env}`);
      const env = makeEnv(parsed.data);
      const actDim = env.actionSpace.shape.reduce((a, b) => a * b, 1);
      const actions = parseActions(readJsonFile(o.actions, '--actions file'), actDim, o.actions);
      const reset = env.reset(seed);
      const trajectory = {
        env: parsed.data,
        seed,
        reset: { obs: Array.from(reset.obs) },
        steps: [] as Array<{ t: number; action: number[]; obs: number[]; reward: number; terminated: boolean; truncated: boolean; info?: unknown }>,
        ended: false,
        unusedActions: 0,
      };
      const a = new Float32Array(actDim);
      for (let t = 0; t < actions.length; t++) {
        a.set(actions[t]!);
        const r = env.step(a);
        trajectory.steps.push({
          t,
          action: actions[t]!,
          obs: Array.from(r.obs),
          reward: r.reward,
          terminated: r.terminated,
          truncated: r.truncated,
          ...(Object.keys(r.info).length ? { info: r.info } : {}),
        });
        if (r.terminated || r.truncated) {
          trajectory.ended = true;
          trajectory.unusedActions = actions.length - t - 1;
          break;
        }
      }
      env.close?.();
      output(g, trajectory, () =>
        [
          `reset(seed=${seed}) obs=${JSON.stringify(trajectory.reset.obs)}`,
          ...trajectory.steps.map(
            (s) =>
              `t=${s.t} action=${JSON.stringify(s.action)} reward=${s.reward.toFixed(6)} terminated=${s.terminated} truncated=${s.truncated} obs=${JSON.stringify(s.obs)}`,
          ),
          trajectory.ended
            ? `episode ended; ${trajectory.unusedActions} action(s) left unused`
            : `episode still running after ${trajectory.steps.length} steps`,
        ].join('\n'),
      );
    });
}
