/**
 * Algorithm ids -> their entries (each algorithm folder's entry.ts: learner factory, loop
 * settings, action spaces, actor size). Adding an algorithm: a folder under rl/algorithms/ with a
 * class implementing `Learner` (or `OnPolicyLearner`, ./on-policy-learner.ts, for algorithms that
 * learn from their own rollouts), its config block in src-shared/config/, its entry.ts, and one
 * line here; the trainer, the live view, checkpoints and export go through `Learner` only. The
 * mapped type makes TypeScript insist on an entry for every id of AlgoId.
 */
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { AlgoId } from '../../../src-shared/config/algo.js';
import type { AlgoEntry, Learner, LearnerInit, OffPolicyLoop } from './learner.js';
import { td3Entry } from './td3/entry.js';
import { sacEntry } from './sac/entry.js';
import { d4pgEntry } from './d4pg/entry.js';
import { dqnEntry } from './dqn/entry.js';
import { a2cEntry, ppoEntry, reinforceEntry } from './on-policy/entry.js';

export type { LearnerInit } from './learner.js';
export { DEFAULT_ENCODER_TAU } from './td3/entry.js';

// DDPG is a preset of TD3's schema (src-shared/config/algo.ts), so it shares the entry; Rainbow
// is a preset of DQN's (src-shared/config/dqn.ts).
const ENTRIES: { [K in AlgoId]: AlgoEntry } = {
  td3: td3Entry,
  ddpg: td3Entry,
  sac: sacEntry,
  d4pg: d4pgEntry,
  dqn: dqnEntry,
  rainbow: dqnEntry,
  ppo: ppoEntry,
  a2c: a2cEntry,
  reinforce: reinforceEntry,
};

function entryOf(algo: string): AlgoEntry {
  const entry = (ENTRIES as Record<string, AlgoEntry>)[algo];
  if (!entry) throw new Error(`no learner registered for algo "${algo}"`);
  return entry;
}

/** The algorithms that handle an action space of this kind. */
function algosFor(kind: 'box' | 'discrete'): string {
  return (Object.keys(ENTRIES) as AlgoId[]).filter((a) => ENTRIES[a].actions.includes(kind)).join(', ');
}

/** The action kinds an algorithm's learner handles (src-shared/config/action-fit.ts states the same, for checks before a run starts). */
export function actionKindsOf(algo: AlgoId): readonly ('box' | 'discrete')[] {
  return entryOf(algo).actions;
}

/** How the off-policy loop feeds the run's learner (from the algorithm's own config block); undefined for on-policy algorithms. */
export function loopOf(config: RunConfig): OffPolicyLoop | undefined {
  return entryOf(config.algo).loop(config);
}

/** The hidden layers of the run's actor and the config field that sets them (checks of exported actors a run starts from). */
export function actorHiddenOf(config: RunConfig): { field: string; hidden: readonly number[] } {
  return entryOf(config.algo).actorHidden(config);
}

/** The run's learner; refuses an algorithm on an action space it does not handle, naming the ones that do. */
export function makeLearner(init: LearnerInit): Learner {
  const entry = entryOf(init.config.algo);
  const kind = init.actionSpace?.kind ?? 'box';
  if (!entry.actions.includes(kind)) {
    const wants = entry.actions.map((k) => (k === 'box' ? 'continuous' : 'discrete')).join(' or ');
    const has = kind === 'box' ? 'continuous' : `${init.actionSpace?.kind === 'discrete' ? init.actionSpace.n : ''} discrete`;
    throw new Error(`algo: ${init.config.algo} needs ${wants} actions; env "${init.config.env.id}" has ${has} actions (use ${algosFor(kind)})`);
  }
  return entry.make(init);
}
