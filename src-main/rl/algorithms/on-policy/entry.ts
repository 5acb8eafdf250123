/** The on-policy algorithms (ppo, a2c, reinforce: src-shared/config/on-policy.ts) in the algorithm registry. */
import type { AlgoEntry } from '../learner.js';
import { ActorCritic } from './actor-critic.js';
import { settingsOf } from './settings.js';

type OnPolicyAlgo = 'ppo' | 'a2c' | 'reinforce';

function entry(algo: OnPolicyAlgo): AlgoEntry {
  return {
    make(init) {
      const space = init.actionSpace;
      const spaces = { ...init.spaces, ...(space?.kind === 'discrete' ? { discreteN: space.n } : {}) };
      if (init.encoder) throw new Error(`${algo}: image observations with a trainable encoder are not supported; use a frozen encoder or state observations`);
      return new ActorCritic(spaces, settingsOf(init.config, algo), init.seeds, init.name);
    },
    // They learn from their own rollouts (rl/train/rollout-loop.ts), not from replay.
    loop: () => undefined,
    actions: ['box', 'discrete'],
    actorHidden: (c) => ({ field: `${algo}.actorHidden`, hidden: settingsOf(c, algo).actorHidden }),
  };
}

export const ppoEntry = entry('ppo');
export const a2cEntry = entry('a2c');
export const reinforceEntry = entry('reinforce');
