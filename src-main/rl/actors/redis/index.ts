/** The Redis transport: the learner's factory (for AsyncTrainer) and the actor process (./actor-client.ts). */
import type { TransportFactory } from '../async-trainer.js';
import { RedisLearnerTransport } from './learner-transport.js';
import type { RedisRunInfo } from './keys.js';

export { runRedisActor } from './actor-client.js';
export { redactUrl, runKeys } from './keys.js';

/** The learner of run `runId` takes its actors' transitions from the Redis at `url`. */
export function redisTransport(url: string, runId: string): TransportFactory {
  return (_initOf, log, learner) =>
    new RedisLearnerTransport(
      url,
      runId,
      (): RedisRunInfo => {
        const { actor: _a, slot: _s, seeds: _seeds, runId: _r, digest: _d, ...actor } = learner.actorInit(0, 0);
        return { runId, digest: learner.digest, config: learner.config, status: 'running', actor, seedBase: learner.seeds.envs, t: Date.now() };
      },
      log,
    );
}
