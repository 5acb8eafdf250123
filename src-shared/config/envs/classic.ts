/** Options of the Gymnasium classic-control sanity envs (exact Gymnasium dynamics). */
import { z } from 'zod';

export const PendulumEnvConfig = z.object({
  id: z.literal('pendulum'),
  maxEpisodeSteps: z.number().int().min(1).max(100_000).default(200).describe('Time limit (truncation) in steps; Pendulum-v1 uses 200.'),
});

export const MountainCarEnvConfig = z.object({
  id: z.literal('mountaincar'),
  maxEpisodeSteps: z.number().int().min(1).max(100_000).default(999).describe('Time limit (truncation) in steps; MountainCarContinuous-v0 uses 999.'),
});

export const CartPoleEnvConfig = z.object({
  id: z.literal('cartpole'),
  maxEpisodeSteps: z.number().int().min(1).max(100_000).default(500).describe('Time limit (truncation) in steps; CartPole-v1 uses 500.'),
});

export const MountainCarDiscreteEnvConfig = z.object({
  id: z.literal('mountaincar-discrete'),
  maxEpisodeSteps: z.number().int().min(1).max(100_000).default(200).describe('Time limit (truncation) in steps; MountainCar-v0 uses 200.'),
});
