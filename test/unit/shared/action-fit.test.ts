/**
 * The action-kind tables of src-shared/config/action-fit.ts agree with the learners and the
 * simulators, and a run whose algorithm cannot act in its env is refused when it is created.
 */
import { describe, expect, it } from 'vitest';
import { ALGO_ACTIONS, algoEnvMisfit, envActionKind } from '../../../src-shared/config/action-fit.js';
import { AlgoId } from '../../../src-shared/config/algo.js';
import { EnvConfig, ENV_IDS } from '../../../src-shared/config/envs/index.js';
import { actionKindsOf } from '../../../src-main/rl/algorithms/registry.js';
import { makeEnv } from '../../../src-main/sim/registry.js';
import { RunStore } from '../../../src-main/store/run-store.js';
import { tempDir } from '../../helpers/tmp.js';

describe('algorithm and env action kinds', () => {
  it("match the learners' registry and every env's action space", () => {
    for (const algo of AlgoId.options) expect([...actionKindsOf(algo)], algo).toEqual([...ALGO_ACTIONS[algo]]);
    const configs = [...ENV_IDS.map((id) => EnvConfig.parse({ id })), EnvConfig.parse({ id: 'lane', steeringBins: 5 })];
    for (const config of configs) {
      const env = makeEnv(config);
      expect(envActionKind(config), JSON.stringify(config)).toBe(env.actionSpace.kind);
      env.close?.();
    }
  });

  it('refuses a run its algorithm could never start, naming the field and the algorithms that fit', () => {
    expect(algoEnvMisfit('dqn', EnvConfig.parse({ id: 'pendulum' }))).toBe(
      'dqn needs discrete actions; env "pendulum" has continuous actions (use td3, ddpg, sac, d4pg, ppo, a2c, reinforce)',
    );
    expect(algoEnvMisfit('sac', EnvConfig.parse({ id: 'lane', steeringBins: 7 }))).toMatch(
      /^sac needs continuous actions; env "lane" has discrete actions \(use dqn, rainbow, ppo/,
    );
    expect(algoEnvMisfit('ppo', EnvConfig.parse({ id: 'cartpole' }))).toBeUndefined();
    const t = tempDir();
    try {
      const store = new RunStore(t.dir, '9.9.9');
      let issues: string[] = [];
      try {
        store.create({ algo: 'rainbow', env: { id: 'arm-reach' } });
      } catch (e) {
        issues = (e as { issues?: string[] }).issues ?? [String(e)];
      }
      expect(issues).toEqual([expect.stringMatching(/^config\.algo: rainbow needs discrete actions; env "arm-reach" has continuous actions/)]);
      expect(store.list()).toEqual([]);
      expect(store.create({ algo: 'rainbow', env: { id: 'cartpole' } }).config.algo).toBe('rainbow');
    } finally {
      t.cleanup();
    }
  });
});
