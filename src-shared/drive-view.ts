/**
 * What the app shows of a drive pipeline run (`runs.drive`): each stage's state, the VAE's
 * latest reconstruction grid, the evaluation after every training episode, and the report's
 * Table I when the run has one. Defined once here; the engine builds it from the run folder
 * (drive.json, vae/reconstructions.png, metrics.jsonl, report.json).
 */
import { z } from 'zod';
import { DriveStageId } from './config/drive.js';

export const DriveStageStatus = z.enum(['pending', 'running', 'done', 'skipped', 'failed']);
export type DriveStageStatus = z.infer<typeof DriveStageStatus>;

export const DriveStageView = z.object({
  id: DriveStageId,
  status: DriveStageStatus,
  /** Wall-clock seconds spent in the stage so far (all attempts). */
  seconds: z.number().min(0),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** What the stage produced (counts, paths, outcome). */
  detail: z.record(z.string(), z.unknown()).optional(),
  /** Why the stage ended, in words ("clean after 4 episodes", "episode budget (35) reached", "wall-clock cap (20 min) reached"). */
  stopReason: z.string().optional(),
  /** While it runs: estimated seconds left in the stage (RL stages: an upper bound; a clean evaluation ends them sooner). */
  etaS: z.number().min(0).optional(),
});
export type DriveStageView = z.infer<typeof DriveStageView>;

/** One evaluation on the held-out test routes after a training episode (no exploration noise). */
export const DriveEvalPoint = z.object({
  agent: z.enum(['vae', 'pixels']),
  episode: z.number().int().min(0),
  disengagements: z.number().int().min(0),
  /** Metres per disengagement (the route distance when there was none). */
  mpd: z.number(),
  cleanRoutes: z.number().int().min(0),
  routes: z.number().int().min(0),
  /** Wall-clock seconds of the pipeline (VAE agent) or of the baseline's RL stage at this point. */
  seconds: z.number(),
});
export type DriveEvalPoint = z.infer<typeof DriveEvalPoint>;

export const DriveTableRow = z.object({
  method: z.string(),
  episodes: z.number().nullable(),
  distanceM: z.number().nullable(),
  minutes: z.number().nullable(),
  mpd: z.number().nullable(),
  disengagements: z.number().nullable(),
  routes: z.number().optional(),
  cleanRoutes: z.number().optional(),
  note: z.string().optional(),
});
export type DriveTableRow = z.infer<typeof DriveTableRow>;

export const DriveRunView = z.object({
  stages: z.array(DriveStageView),
  /** The latest grid of VAE reconstructions (top: camera frames, bottom: decode(encode(frame))). */
  reconstruction: z.object({ epoch: z.number().nullable(), pngBase64: z.string(), bytes: z.number().int() }).nullable(),
  evaluations: z.array(DriveEvalPoint),
  report: z
    .object({
      createdAt: z.string(),
      /** Our rows, in the shape of Kendall et al.'s Table I. */
      table: z.array(DriveTableRow),
      /** Kendall et al. 2018's Table I (a real car, 250 m route). */
      kendall: z.array(DriveTableRow),
      goals: z.record(z.string(), z.boolean().nullable()),
      routes: z.number().int(),
      routeLengthM: z.number(),
      /** Each agent's final policy on the fresh held-out routes (disjoint from the stopping routes); absent in older reports. */
      fresh: z
        .array(
          z.object({
            agent: z.enum(['vae', 'pixels']),
            routes: z.number().int(),
            cleanRoutes: z.number().int(),
            disengagements: z.number().int(),
            mpd: z.number(),
          }),
        )
        .optional(),
    })
    .nullable(),
});
export type DriveRunView = z.infer<typeof DriveRunView>;
