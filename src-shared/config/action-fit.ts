/**
 * Which algorithms can train on which envs, by the kind of actions: continuous (a box) or
 * discrete (one of n). Checked when a run is created (store, form), so a run that could never
 * start is refused with the reason; the learner registry (src-main/rl/algorithms/registry.ts)
 * and the simulators' spaces are checked against these tables in tests.
 */
import type { AlgoId } from './algo.js';
import type { EnvConfig } from './envs/index.js';

export type ActionKind = 'box' | 'discrete';

/** The kinds of action space each algorithm handles. */
export const ALGO_ACTIONS: Record<AlgoId, readonly ActionKind[]> = {
  td3: ['box'],
  ddpg: ['box'],
  sac: ['box'],
  d4pg: ['box'],
  dqn: ['discrete'],
  rainbow: ['discrete'],
  ppo: ['box', 'discrete'],
  a2c: ['box', 'discrete'],
  reinforce: ['box', 'discrete'],
};

/** The kind of actions an env with this config takes. */
export function envActionKind(env: EnvConfig): ActionKind {
  switch (env.id) {
    case 'cartpole':
    case 'mountaincar-discrete':
      return 'discrete';
    case 'lane':
      return env.steeringBins === undefined ? 'box' : 'discrete';
    default:
      return 'box';
  }
}

const KIND_WORD: Record<ActionKind, string> = { box: 'continuous', discrete: 'discrete' };

/** Why `algo` cannot train on `env`, in one line naming the algorithms that can; undefined when it can. */
export function algoEnvMisfit(algo: AlgoId, env: EnvConfig): string | undefined {
  const kind = envActionKind(env);
  if (ALGO_ACTIONS[algo].includes(kind)) return undefined;
  const fitting = (Object.keys(ALGO_ACTIONS) as AlgoId[]).filter((a) => ALGO_ACTIONS[a].includes(kind));
  const wants = ALGO_ACTIONS[algo].map((k) => KIND_WORD[k]).join(' or ');
  return `${algo} needs ${wants} actions; env "${env.id}" has ${KIND_WORD[kind]} actions (use ${fitting.join(', ')})`;
}
