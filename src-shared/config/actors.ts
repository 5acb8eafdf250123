/**
 * Parallel actors (the Ape-X / D4PG layout): `count` actor workers, each with its own envs, a
 * copy of the actor and its own exploration noise, feed one learner that owns the replay buffer
 * and updates continuously. Absent (or mode "sync") = the one synchronous loop, bit-reproducible
 * with exact resume; "async" trades that for throughput (its checkpoints keep the replay buffer).
 */
import { z } from 'zod';

export const ActorsConfig = z.object({
  mode: z
    .enum(['sync', 'async'])
    .default('async')
    .describe('"async": actor workers step envs while the learner trains (faster, not bit-reproducible); "sync": the one reproducible loop.'),
  count: z.number().int().min(1).max(64).default(1).describe('Actor workers (in-process threads), each stepping numEnvs envs.'),
  weightSyncEvery: z.number().int().min(1).max(100_000).default(50).describe('Learner updates between actor-weight broadcasts (each carries a version).'),
  updatesPerStep: z
    .number()
    .positive()
    .max(64)
    .optional()
    .describe(
      'Learner updates per collected env step the learner keeps to (actors wait when they run ahead). Absent = the rate of the synchronous schedule (gradientSteps / (trainFreq * numEnvs)).',
    ),
});
export type ActorsConfig = z.infer<typeof ActorsConfig>;
export type ActorsConfigInput = z.input<typeof ActorsConfig>;

/** Actors a new async run gets when none are named: one per core but one for the learner. */
export function defaultActorCount(cores: number): number {
  return Math.max(1, cores - 1);
}
