/** The lane env's public types: observation labels, disengagements, episode metrics, reset options. */

/** Distances ahead (m) at which the state observation reports the road's curvature. */
export const CURVATURE_AHEAD = [5, 10, 20, 40] as const;
export const STATE_OBS_LABELS = ['offset', 'headingError', 'curv5', 'curv10', 'curv20', 'curv40', 'speed', 'steering'] as const;

/** Why a disengagement happened; "manual" is the user taking over (the safety driver of Kendall et al.). */
export type DisengagementCause = 'lane' | 'heading' | 'stall' | 'rollover' | 'manual';

export interface LaneDisengagement {
  kind: 'disengagement';
  /** Simulated seconds since the episode started, and env steps. */
  t: number;
  step: number;
  /** Position along the road (m, absolute s of the road) and in the map (m). */
  s: number;
  x: number;
  y: number;
  /** Metres driven along the road since the last disengagement (or the start). */
  distance: number;
  cause: DisengagementCause;
  /** Road seed, lateral offset (m, + left), heading error (rad), speed (m/s) at the time. */
  seed: number;
  offset: number;
  headingError: number;
  speed: number;
}

export interface LaneEpisodeMetrics {
  /** Metres along the road driven in the episode. */
  distance: number;
  disengagements: number;
  /** Metres per disengagement: distance / max(1, disengagements). */
  mpd: number;
  /** Mean |lane offset| (m) and mean speed (m/s) over the episode's steps. */
  meanAbsOffset: number;
  meanSpeed: number;
  steps: number;
  /** Simulated seconds. */
  seconds: number;
  seed: number;
  /** How it ended: a disengagement cause, "distance" or "steps" (truncation). */
  cause: string;
}

export interface LaneResetOptions {
  /** Drive this road seed instead of drawing one from the training range. */
  roadSeed?: number;
  /** Exact start: lateral offset (m, + left) and heading error (rad); default drawn from the config's spreads. */
  offset?: number;
  headingError?: number;
}
