/**
 * Seeded procedural centrelines: a sequence of curvature pieces (straights, arcs, clothoid
 * transitions) forming straights, gentle and medium arcs, S-bends and tight bends. Curvature
 * changes linearly over transitions (as on real roads), so bends are drivable without
 * steering jumps. The heading stays within +-maxHeading of the initial direction, so the road
 * always moves on in +x and never loops back on itself (distant parts stay far apart).
 */
import type { RoadPiece } from '../../../src-shared/scene/lane-scene.js';
import type { Rng } from '../../core/rng.js';

export interface RoadGenOptions {
  /** Total length (m). */
  length: number;
  /** Tightest bend radius (m). */
  minRadius: number;
  /** 0..1: share of bends versus straights. */
  curviness: number;
  /** Largest heading away from the start direction (rad). */
  maxHeading: number;
  /** Straight lead-in at the start (m). */
  leadIn: number;
}

/** Transition (clothoid) length per unit change of curvature (m per 1/m): 1/25 m -> 24 m. */
const TRANSITION_PER_KAPPA = 600;
const MIN_TRANSITION = 6;

function transitionLength(dk: number): number {
  return Math.max(MIN_TRANSITION, Math.abs(dk) * TRANSITION_PER_KAPPA);
}

/** Heading change (rad) of a piece. */
export function pieceTurn(p: RoadPiece): number {
  return 0.5 * (p.k0 + p.k1) * p.length;
}

/**
 * A bend at curvature k (signed) turning `angle` in total (same sign as k), entered and left by
 * clothoids from and to curvature 0. Returns the pieces, or null when the angle is too small.
 */
function bend(k: number, angle: number): RoadPiece[] {
  const lt = transitionLength(k);
  const arcAngle = angle - k * lt; // the two clothoids turn k * lt / 2 each
  const arcLen = arcAngle / k;
  const pieces: RoadPiece[] = [{ length: lt, k0: 0, k1: k }];
  if (arcLen > 0.5) pieces.push({ length: arcLen, k0: k, k1: k });
  pieces.push({ length: lt, k0: k, k1: 0 });
  return pieces;
}

/** An S-bend: curvature k1, then through a transition to k2 of the other sign, then back to 0. */
function sBend(k1: number, a1: number, k2: number, a2: number): RoadPiece[] {
  const l1 = transitionLength(k1);
  const l12 = transitionLength(k2 - k1);
  const l2 = transitionLength(k2);
  const arc1 = (a1 - (k1 * l1) / 2 - (k1 * l12) / 2) / k1;
  const arc2 = (a2 - (k2 * l12) / 2 - (k2 * l2) / 2) / k2;
  const pieces: RoadPiece[] = [{ length: l1, k0: 0, k1: k1 }];
  if (arc1 > 0.5) pieces.push({ length: arc1, k0: k1, k1: k1 });
  pieces.push({ length: l12, k0: k1, k1: k2 });
  if (arc2 > 0.5) pieces.push({ length: arc2, k0: k2, k1: k2 });
  pieces.push({ length: l2, k0: k2, k1: 0 });
  return pieces;
}

function turnAndPeak(pieces: readonly RoadPiece[], heading: number): { end: number; min: number; max: number } {
  let h = heading;
  let min = h;
  let max = h;
  for (const p of pieces) {
    h += pieceTurn(p);
    min = Math.min(min, h);
    max = Math.max(max, h);
  }
  return { end: h, min, max };
}

const deg = Math.PI / 180;

/** Generates the pieces of a road of at least `opts.length` metres. */
export function generateRoadPieces(rng: Rng, opts: RoadGenOptions): RoadPiece[] {
  const pieces: RoadPiece[] = [{ length: opts.leadIn, k0: 0, k1: 0 }];
  let total = opts.leadIn;
  let heading = 0;
  const kMax = 1 / opts.minRadius;
  const c = opts.curviness;
  // Feature weights: straight, gentle arc, medium arc, tight bend, S-bend.
  const weights = [1.4 - 1.1 * c, 1.0, 0.5 + 0.8 * c, 0.15 + 0.6 * c, 0.25 + 0.7 * c];
  const wsum = weights.reduce((a, b) => a + b, 0);
  let lastWasStraight = true;
  let guard = 0;
  while (total < opts.length && guard++ < 10_000) {
    let r = rng.next() * wsum;
    let kind = 0;
    while (kind < weights.length - 1 && r >= weights[kind]!) r -= weights[kind++]!;
    if (kind === 0 && lastWasStraight) kind = 1;
    let feature: RoadPiece[];
    const sign = rng.next() < 0.5 ? -1 : 1;
    if (kind === 0) {
      feature = [{ length: rng.uniform(20, 120), k0: 0, k1: 0 }];
    } else if (kind === 4) {
      const r1 = rng.uniform(Math.max(1.5 * opts.minRadius, 35), Math.max(2 * opts.minRadius, 110));
      const r2 = rng.uniform(Math.max(1.5 * opts.minRadius, 35), Math.max(2 * opts.minRadius, 110));
      const a1 = rng.uniform(20, 60) * deg;
      const a2 = rng.uniform(20, 60) * deg;
      feature = sBend(sign / r1, sign * a1, -sign / r2, -sign * a2);
    } else {
      const [rLo, rHi, aLo, aHi] =
        kind === 1
          ? [Math.max(80, opts.minRadius), Math.max(300, opts.minRadius), 10, 50]
          : kind === 2
            ? [Math.max(40, opts.minRadius), Math.max(80, 1.5 * opts.minRadius), 20, 80]
            : [opts.minRadius, 1.4 * opts.minRadius, 45, 120];
      const radius = rng.uniform(rLo, rHi);
      const k = Math.min(kMax, 1 / radius);
      let angle = rng.uniform(aLo, aHi) * deg;
      angle = Math.max(angle, k * transitionLength(k) + 0.02);
      feature = bend(sign * k, sign * angle);
    }
    // Keep the heading within bounds: mirror the feature if it would leave them, else drop it.
    let tp = turnAndPeak(feature, heading);
    if (tp.min < -opts.maxHeading || tp.max > opts.maxHeading) {
      feature = feature.map((p) => ({ length: p.length, k0: 0 - p.k0, k1: 0 - p.k1 })); // 0 - x: no -0
      tp = turnAndPeak(feature, heading);
      if (tp.min < -opts.maxHeading || tp.max > opts.maxHeading) {
        // Head back towards 0 with a gentle bend instead.
        const k = -Math.sign(heading || 1) / Math.max(100, opts.minRadius);
        const angle = Math.max(Math.abs(heading) * 0.6, Math.abs(k) * transitionLength(k) + 0.02);
        feature = bend(k, Math.sign(k) * angle);
        tp = turnAndPeak(feature, heading);
      }
    }
    for (const p of feature) {
      pieces.push(p);
      total += p.length;
    }
    heading = tp.end;
    lastWasStraight = kind === 0;
  }
  // A straight tail so the road runs on past the requested length.
  pieces.push({ length: 60, k0: 0, k1: 0 });
  return pieces;
}

export interface RoadSamples {
  spacing: number;
  length: number;
  x: Float64Array;
  y: Float64Array;
  heading: Float64Array;
  curvature: Float64Array;
}

/**
 * Samples the centreline every `spacing` metres from s = 0 to `length`: heading and curvature
 * exactly (they are analytic per piece), positions by midpoint integration with 2 substeps per
 * sample (along-track error about 2 cm per km at the tightest bends).
 */
export function sampleRoad(pieces: readonly RoadPiece[], length: number, spacing = 1): RoadSamples {
  const n = Math.floor(length / spacing) + 1;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const heading = new Float64Array(n);
  const curvature = new Float64Array(n);
  // Piece lookup as we march.
  let pi = 0;
  let pStart = 0;
  const stateAt = (s: number): { h: number; k: number } => {
    while (pi < pieces.length - 1 && s > pStart + pieces[pi]!.length) {
      pHeading += pieceTurn(pieces[pi]!);
      pStart += pieces[pi]!.length;
      pi++;
    }
    const p = pieces[pi]!;
    const u = Math.min(Math.max(s - pStart, 0), p.length + 1e9);
    const dk = (p.k1 - p.k0) / p.length;
    return { h: pHeading + p.k0 * u + 0.5 * dk * u * u, k: u <= p.length ? p.k0 + dk * u : p.k1 };
  };
  let pHeading = 0;
  const sub = 2;
  const h = spacing / sub;
  let cx = 0;
  let cy = 0;
  const first = stateAt(0);
  heading[0] = first.h;
  curvature[0] = first.k;
  for (let i = 1; i < n; i++) {
    const s0 = (i - 1) * spacing;
    for (let j = 0; j < sub; j++) {
      const mid = stateAt(s0 + (j + 0.5) * h);
      cx += h * Math.cos(mid.h);
      cy += h * Math.sin(mid.h);
    }
    const st = stateAt(i * spacing);
    x[i] = cx;
    y[i] = cy;
    heading[i] = st.h;
    curvature[i] = st.k;
  }
  return { spacing, length: (n - 1) * spacing, x, y, heading, curvature };
}
