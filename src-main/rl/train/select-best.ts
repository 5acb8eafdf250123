/**
 * RunConfig.selectBest (RL Zoo's EvalCallback best_model, made honest): the evaluations during
 * training run on validation seeds (./seeds.ts validationSeeds), the trainer keeps the policy
 * snapshot that scored best on them, and the final evaluation scores that snapshot on the
 * held-out seeds, which played no part in choosing it.
 */
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { Env } from '../../sim/env.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { loadPolicy } from '../checkpoint/policy.js';
import { policyFromWeights } from '../policy/policy.js';
import { evaluateRunPolicy, type EvalResult } from './evaluate.js';

/**
 * The held-out evaluation of the run's best policy snapshot (read back from its checkpoints, so
 * a resumed run chooses the same one), with the step and validation return it was chosen at;
 * undefined when the run has no snapshot yet.
 */
export function evaluateSelectedPolicy(
  runDir: string,
  checkpoints: CheckpointStore,
  cfg: RunConfig,
  evalEnvs: readonly Env[],
  out: { log(level: 'info', message: string): void },
): { result: EvalResult; extra: Record<string, unknown> } | undefined {
  const best = checkpoints.bestRef();
  if (!best) return undefined;
  const policy = policyFromWeights(loadPolicy(runDir, 'best'), 'selected-policy');
  try {
    const result = evaluateRunPolicy((obs, n) => policy.act(obs, n), cfg.env, cfg.evalEpisodes, evalEnvs);
    out.log('info', `final evaluation of the policy chosen on the validation seeds at step ${best.step}: ${result.mean_return.toFixed(1)}`);
    return { result, extra: { selected: { step: best.step, validation_return: best.meanReturn } } };
  } finally {
    policy.dispose();
  }
}
