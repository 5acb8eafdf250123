/** Exploration-noise settings; the implementations live in src-main/rl/noise/. */
import { z } from 'zod';

export const GaussianNoiseConfig = z.object({
  type: z.literal('gaussian'),
  /** Standard deviation, in normalized action units ([-1, 1] action space). */
  sigma: z.number().min(0).max(2).default(0.1).describe('Standard deviation of the added noise (action units, actions live in [-1, 1]).'),
});

export const OrnsteinUhlenbeckNoiseConfig = z.object({
  type: z.literal('ou'),
  theta: z.number().min(0).max(10).default(0.15).describe('Mean-reversion rate theta of dx = theta (mu - x) dt + sigma sqrt(dt) N(0, 1).'),
  sigma: z.number().min(0).max(2).default(0.2).describe('Diffusion sigma of the OU process (action units).'),
  dt: z.number().positive().max(1).default(0.01).describe('Time step dt of the OU discretization.'),
  mu: z.number().min(-1).max(1).default(0).describe('Long-run mean mu.'),
});

export const ParameterNoiseConfig = z.object({
  type: z.literal('param'),
  initialStd: z.number().positive().max(2).default(0.1).describe('Initial std of the Gaussian perturbation of the actor weights (Plappert et al. 2018).'),
  desiredActionStd: z
    .number()
    .positive()
    .max(2)
    .default(0.2)
    .describe('Target distance between perturbed and unperturbed actions; the scale adapts towards it.'),
  adaptCoef: z.number().min(1).max(2).default(1.01).describe('Multiplicative adaptation factor alpha of the perturbation scale.'),
  adaptEvery: z.number().int().positive().default(50).describe('Env steps between re-perturbation and scale adaptation.'),
});

export const NoNoiseConfig = z.object({ type: z.literal('none') });

/**
 * Exploration with demonstrations: a fraction of the training episodes is acted by the env's
 * scripted controller instead of the actor (for tasks whose reward random exploration almost never
 * reaches, like arm-push, where random actions move the cube in a few episodes in a hundred).
 */
export const ScriptedMixNoiseConfig = z.object({
  type: z.literal('scripted'),
  fraction: z
    .number()
    .min(0)
    .max(1)
    .default(0.3)
    .describe("Fraction of training episodes (drawn at each episode's start) acted by the env's scripted controller; the others by the actor."),
  sigma: z.number().min(0).max(2).default(0.1).describe('Standard deviation of the Gaussian noise added to every action, actor or scripted (action units).'),
});

export const NoiseConfig = z.discriminatedUnion('type', [
  GaussianNoiseConfig,
  OrnsteinUhlenbeckNoiseConfig,
  ParameterNoiseConfig,
  NoNoiseConfig,
  ScriptedMixNoiseConfig,
]);
export type NoiseConfig = z.infer<typeof NoiseConfig>;
