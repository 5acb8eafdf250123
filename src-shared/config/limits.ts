/**
 * Bounds on the counts and sizes users give. Where an input is a config field, the schema is the
 * one source of its limit (numberBounds reads it), so the CLI flags, the New-run form and the
 * WebSocket's runs.create refuse the same values. Inputs that are no config field (an offline
 * evaluation's episodes and route, a seed list) have their limits here.
 */
import type { z } from 'zod';
import { ActorsConfig } from './actors.js';
import { DriveConfig } from './drive.js';
import { RunConfig } from './run-config.js';

export interface NumberBounds {
  min: number;
  max: number;
  /** True when the schema's lower bound is exclusive (z.number().positive()). */
  minExclusive: boolean;
  int: boolean;
}

interface NumberSchemaLike {
  minValue: number | null;
  maxValue: number | null;
  isInt: boolean;
  safeParse(v: unknown): { success: boolean };
}

/** The bounds of a numeric schema field (through .default() / .optional() wrappers). */
export function numberBounds(schema: z.ZodType): NumberBounds {
  let s = schema as unknown as { unwrap?: () => unknown; minValue?: unknown };
  while (s.minValue === undefined && typeof s.unwrap === 'function') s = s.unwrap() as typeof s;
  const n = s as unknown as NumberSchemaLike;
  if (typeof n.maxValue !== 'number' || typeof n.minValue !== 'number') throw new Error('numberBounds: the field has no numeric min and max');
  return { min: n.minValue, max: n.maxValue, minExclusive: !n.safeParse(n.minValue).success, int: n.isInt };
}

const drive = DriveConfig.shape;
const frames = drive.frames.unwrap().shape;
const vae = drive.vae.unwrap().shape;
const pixels = drive.pixels.unwrap().shape;

/** Limits of the run config fields the command line sets with named flags. */
export const RUN_LIMITS = {
  seed: numberBounds(RunConfig.shape.seed),
  totalSteps: numberBounds(RunConfig.shape.totalSteps),
  numEnvs: numberBounds(RunConfig.shape.numEnvs),
  actors: numberBounds(ActorsConfig.shape.count),
  evalEpisodes: numberBounds(RunConfig.shape.evalEpisodes),
  drive: {
    frames: numberBounds(frames.count),
    vaeEpochs: numberBounds(vae.epochs),
    latentDim: numberBounds(vae.latentDim),
    budgetEpisodes: numberBounds(drive.budgetEpisodes),
    budgetMinutes: numberBounds(drive.budgetMinutes),
    testRoutes: numberBounds(drive.testRoutes),
    routeLengthM: numberBounds(drive.routeLengthM),
    pixelsEpisodes: numberBounds(pixels.budgetEpisodes),
    pixelsMinutes: numberBounds(pixels.budgetMinutes),
  },
} as const;

/** Most episodes of one offline evaluation (CLI eval; each is a full episode of simulation). */
export const EVAL_EPISODES_MAX = 10_000;
/** Route length of a lane evaluation (m): the Kendall et al. protocol drives 250 m. */
export const EVAL_ROUTE_M = { min: 10, max: 100_000 } as const;
/** Most seeds one seed list names. */
export const SEEDS_MAX = 100_000;
/** Ceiling of any other integer a command line takes (counts, seeds), so none is unbounded. */
export const COUNT_MAX = 2 ** 31 - 1;
