/**
 * The drive pipeline's report (report.json + report.md in the run folder): how fast the VAE agent
 * learned to drive the held-out routes, and a table in the shape of Kendall et al. 2018's
 * Table I with our random-policy, zero-policy, pixels (no VAE) and VAE rows.
 *
 * A row's test columns come from one evaluation (Kendall et al. report "the best performance for
 * each model"): the first evaluation without a disengagement if there was one, else the best
 * (fewest disengagements, then the earliest). Its training columns are the episodes, training
 * distance and wall-clock time up to that evaluation. Our test is N held-out routes of 250 m
 * (theirs: one 250 m road): disengagements are totals over the N routes, MPD = total distance /
 * max(1, disengagements).
 */
import { fixedOrDash as fmt } from '../../../src-shared/util/format.js';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { laneActionDim, laneTestSeeds, type LaneEnvConfig } from '../../../src-shared/config/envs/lane.js';
import type { RunConfig } from '../../../src-shared/config/run-config.js';
import type { MetricLine } from '../../../src-shared/types.js';
import { evaluateLane, KENDALL_TABLE_I, randomPolicy, zeroPolicy, type LaneEvalResult } from '../../sim/lane/evaluate.js';
import { readFramesManifest } from '../../sim/lane/frames-file.js';
import { readJsonlLines, writeFileAtomic, writeJsonAtomic } from '../../core/durable-write.js';
import { RUN_FILES } from '../../store/run-store.js';
import type { DriveEvalLine, DriveState } from './drive-files.js';
import { freshSeeds, type FreshResult } from './fresh-routes.js';

/** The disengagement rule of the evaluations, in the report's words. */
const RULE_TEXT = {
  centre: "a lane disengagement when the car's centre leaves the lane (centre rule)",
  body: "a lane disengagement when any corner of the car's body crosses a lane line (body rule)",
} as const;

/** Kendall et al. 2018, Table I, with the training columns. */
export const KENDALL_TABLE_I_FULL = [
  { method: 'Random policy', episodes: null, distanceM: null, minutes: null, mpd: 7.35, disengagements: 34 },
  { method: 'Zero policy', episodes: null, distanceM: null, minutes: null, mpd: 22.7, disengagements: 11 },
  { method: 'Deep RL from pixels', episodes: 35, distanceM: 298.8, minutes: 37, mpd: 143.2, disengagements: 1 },
  { method: 'Deep RL from VAE', episodes: 11, distanceM: 195.5, minutes: 15, mpd: null, disengagements: 0 },
] as const;

export interface AgentSummary {
  agent: 'vae' | 'pixels';
  /** Evaluations made (one per training episode). */
  evaluations: number;
  episodesTrained: number;
  /** Episode after which every test route was driven without a disengagement; null if never. */
  firstCleanEpisode: number | null;
  /** The evaluation the table row shows (first clean, else best). */
  row: DriveEvalLine | null;
  best: DriveEvalLine | null;
  final: DriveEvalLine | null;
  /** Wall-clock seconds to the first clean evaluation: of the agent's RL stage, and of the whole pipeline (VAE agent: collect + vae + rl). */
  rlSecondsToClean: number | null;
  pipelineSecondsToClean: number | null;
  trainDistanceToClean: number | null;
  /** Why its RL stage stopped, in words (drive.json's stopReason). */
  stopReason: string | null;
  /** The final policy on the fresh held-out routes (disjoint from the stopping routes); null if not driven. */
  fresh: FreshResult | null;
}

export interface TableRow {
  method: string;
  episodes: number | null;
  distanceM: number | null;
  minutes: number | null;
  mpd: number;
  disengagements: number;
  routes: number;
  cleanRoutes: number;
  note?: string;
}

export interface DriveReport {
  run: { name: string; seed: number; algo: string; dir: string };
  createdAt: string;
  machine: { cpus: number; model: string; loadAverage: number[]; node: string };
  protocol: {
    routes: number;
    routeLengthM: number;
    seeds: number[];
    rule: 'centre' | 'body';
    note: string;
    fresh: { routes: number; seeds: [number, number] | null; note: string };
  };
  stages: Record<string, { status: string; seconds: number; stopReason: string | null }>;
  frames: { count: number; bytes: number; sources: Record<string, number> } | null;
  vaeTraining: { lastTrainLoss: number | null; lastValLoss: number | null; epochs: number | null };
  vae: AgentSummary;
  pixels: AgentSummary | null;
  baselines: { random: LaneEvalResult['overall']; zero: LaneEvalResult['overall'] };
  table: TableRow[];
  kendall: typeof KENDALL_TABLE_I_FULL;
  goals: { episodesAtMost11: boolean | null; pipelineMinutesAtMost10: boolean | null; vaeFewerEpisodesThanPixels: boolean | null };
}

function evalLines(path: string, agent: 'vae' | 'pixels'): DriveEvalLine[] {
  return (readJsonlLines(path).lines as MetricLine[]).filter((l) => l.kind === 'drive_eval' && (l.agent ?? 'vae') === agent) as DriveEvalLine[];
}

/** The summary of one agent's evaluations. */
export function summarizeAgent(
  agent: 'vae' | 'pixels',
  evals: readonly DriveEvalLine[],
  episodesTrained?: number,
  stage?: { stopReason?: string; detail?: Record<string, unknown> },
): AgentSummary {
  const clean = evals.find((e) => e.disengagements === 0) ?? null;
  let best: DriveEvalLine | null = null;
  for (const e of evals) if (!best || e.disengagements < best.disengagements) best = e;
  return {
    agent,
    evaluations: evals.length,
    episodesTrained: episodesTrained ?? evals.at(-1)?.episode ?? 0,
    firstCleanEpisode: clean?.episode ?? null,
    row: clean ?? best,
    best,
    final: evals.at(-1) ?? null,
    rlSecondsToClean: clean?.rl_s ?? null,
    pipelineSecondsToClean: clean?.pipeline_s ?? null,
    trainDistanceToClean: clean?.train_distance ?? null,
    stopReason: stage?.stopReason ?? null,
    fresh: (stage?.detail?.fresh as FreshResult | null | undefined) ?? null,
  };
}

function agentRow(method: string, s: AgentSummary | null, note?: string): TableRow | null {
  const r = s?.row;
  if (!s || !r) return null;
  return {
    method,
    episodes: r.episode,
    distanceM: r.train_distance,
    minutes: r.rl_s / 60,
    mpd: r.mpd,
    disengagements: r.disengagements,
    routes: r.routes,
    cleanRoutes: r.clean_routes,
    ...(s.firstCleanEpisode === null
      ? { note: `never clean: ${s.stopReason ?? 'budget reached'}; best evaluation shown${note ? `; ${note}` : ''}` }
      : note
        ? { note }
        : {}),
  };
}

function baselineRow(method: string, o: LaneEvalResult['overall']): TableRow {
  return { method, episodes: null, distanceM: null, minutes: null, mpd: o.mpd, disengagements: o.disengagements, routes: o.routes, cleanRoutes: o.cleanRoutes };
}

export function reportMarkdown(r: DriveReport): string {
  const lines: string[] = [];
  lines.push(`# Drive in a day: ${r.run.name}`, '');
  lines.push(
    `Seed ${r.run.seed}, ${r.run.algo.toUpperCase()}, ${r.createdAt}. Machine: ${r.machine.cpus} CPU cores (${r.machine.model}), load average ${r.machine.loadAverage.map((x) => x.toFixed(1)).join(' / ')} at report time, Node ${r.machine.node}.`,
    '',
  );
  const v = r.vae;
  if (v.firstCleanEpisode !== null) {
    lines.push(
      `**The VAE agent drove all ${r.protocol.routes} held-out ${r.protocol.routeLengthM} m test routes without a disengagement after ${v.firstCleanEpisode} training episode(s)** ` +
        `(${fmt(v.trainDistanceToClean)} m of training driving), ${fmt((v.rlSecondsToClean ?? 0) / 60, 2)} min of RL and ${fmt((v.pipelineSecondsToClean ?? 0) / 60, 2)} min from a fresh run (frames + VAE + RL, evaluations included).`,
    );
  } else {
    lines.push(
      `The VAE agent did not drive every test route without a disengagement within its budget (${v.episodesTrained} episodes); its best evaluation: ${v.best?.disengagements ?? '-'} disengagement(s) after episode ${v.best?.episode ?? '-'}.`,
    );
  }
  if (v.stopReason) lines.push('', `Its training stopped: ${v.stopReason}.`);
  lines.push('');
  lines.push(`## Generalization: fresh held-out routes`, '');
  lines.push(`Stopping routes: ${r.protocol.routes} (the stop rule looks at these, so a clean figure there is a selected one). ${r.protocol.fresh.note}`, '');
  lines.push(
    '| Agent | Stopped because | Stopping routes (last evaluation): clean / disengagements / MPD (m) | Fresh routes: clean / disengagements / MPD (m) |',
  );
  lines.push('|---|---|---:|---:|');
  for (const a of [r.vae, r.pixels]) {
    if (!a) continue;
    const f = a.fresh;
    const last = a.final;
    lines.push(
      `| ${a.agent === 'vae' ? 'Deep RL from VAE' : 'Deep RL from pixels'} | ${a.stopReason ?? '-'} | ${last ? `${last.clean_routes}/${last.routes} / ${last.disengagements} / ${fmt(last.mpd)}` : '-'} | ${f ? `${f.clean_routes}/${f.routes} (${fmt((100 * f.clean_routes) / Math.max(1, f.routes), 0)} %) / ${f.disengagements} / ${fmt(f.mpd)}` : 'not driven'} |`,
    );
  }
  lines.push('');
  lines.push(`## Table I (shape of Kendall et al. 2018)`, '');
  lines.push(`Test: ${r.protocol.note}`, '');
  lines.push(
    '| Model | Training episodes | Training distance (m) | Training time (min: RL stage wall clock, evaluations included) | Test: metres per disengagement | Test: disengagements (routes clean) |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const row of r.table) {
    lines.push(
      `| ${row.method}${row.note ? ` (${row.note})` : ''} | ${row.episodes ?? '-'} | ${fmt(row.distanceM)} | ${fmt(row.minutes, 2)} | ${row.disengagements === 0 ? `${fmt(row.mpd)} (no disengagement)` : fmt(row.mpd, 2)} | ${Number.isFinite(row.disengagements) ? `${row.disengagements} (${row.cleanRoutes}/${row.routes})` : '-'} |`,
    );
  }
  lines.push('', 'Kendall et al. 2018, Table I (a real car, one 250 m route):', '');
  lines.push('| Model | Training episodes | Training distance (m) | Training time (min) | Test: metres per disengagement | Test: disengagements |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const k of r.kendall)
    lines.push(`| ${k.method} | ${k.episodes ?? '-'} | ${k.distanceM ?? '-'} | ${k.minutes ?? '-'} | ${k.mpd ?? '-'} | ${k.disengagements} |`);
  lines.push('', '## Stages', '');
  lines.push('| Stage | Status | Wall clock (s) | Stopped because |', '|---|---|---:|---|');
  for (const [k, s] of Object.entries(r.stages)) lines.push(`| ${k} | ${s.status} | ${fmt(s.seconds)} | ${s.stopReason ?? '-'} |`);
  if (r.frames)
    lines.push(
      '',
      `Frames: ${r.frames.count} (${Object.entries(r.frames.sources)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}), ${(r.frames.bytes / 1e6).toFixed(1)} MB.`,
    );
  lines.push(
    `VAE: ${r.vaeTraining.epochs ?? '-'} epochs, last training loss ${fmt(r.vaeTraining.lastTrainLoss)}, held-out loss ${fmt(r.vaeTraining.lastValLoss)} (per frame: squared error summed over pixels + KL); reconstructions in vae/reconstructions.png.`,
  );
  const g = r.goals;
  lines.push('', '## Goals', '');
  lines.push(`- VAE agent clean after <= 11 episodes: ${g.episodesAtMost11 === null ? 'not reached' : g.episodesAtMost11 ? 'yes' : 'no'}`);
  lines.push(`- Fresh run to that point in <= 10 minutes: ${g.pipelineMinutesAtMost10 === null ? 'not reached' : g.pipelineMinutesAtMost10 ? 'yes' : 'no'}`);
  lines.push(
    `- VAE agent needs fewer episodes than the pixels agent: ${g.vaeFewerEpisodesThanPixels === null ? 'not measured' : g.vaeFewerEpisodesThanPixels ? 'yes' : 'no'}`,
  );
  return lines.join('\n') + '\n';
}

/**
 * Whether the VAE agent needed fewer episodes than the pixels agent; null when the runs cannot
 * tell (a pixels agent stopped by its budget before it had trained as many episodes as the VAE
 * agent needed has not shown that it needs more).
 */
export function vaeFewerEpisodes(
  vae: Pick<AgentSummary, 'firstCleanEpisode'>,
  pixels: Pick<AgentSummary, 'firstCleanEpisode' | 'episodesTrained'> | null,
): boolean | null {
  if (!pixels) return null;
  if (pixels.firstCleanEpisode !== null) return vae.firstCleanEpisode !== null && vae.firstCleanEpisode < pixels.firstCleanEpisode;
  if (vae.firstCleanEpisode === null) return null;
  return pixels.episodesTrained >= vae.firstCleanEpisode ? true : null;
}

/** Evaluates the baselines, reads the agents' evaluations and writes report.json and report.md. */
export function writeReport(runDir: string, config: RunConfig, state: DriveState): DriveReport {
  const d = config.drive!;
  const env = config.env as LaneEnvConfig;
  const seeds = laneTestSeeds(d.testRoutes);
  const fresh = freshSeeds(d.testRoutes, d.freshRoutes);
  const stateEnv: LaneEnvConfig = { ...env, obs: 'state' };
  const random = evaluateLane(randomPolicy(laneActionDim(env), config.seed), {
    config: stateEnv,
    seeds,
    routeLengthM: d.routeLengthM,
    rule: d.disengagementRule,
  }).overall;
  const zero = evaluateLane(zeroPolicy(laneActionDim(env)), { config: stateEnv, seeds, routeLengthM: d.routeLengthM, rule: d.disengagementRule }).overall;
  const vaeEvals = evalLines(join(runDir, RUN_FILES.metrics), 'vae');
  const vae = summarizeAgent('vae', vaeEvals, state.stages.rl.detail?.episodes as number | undefined, state.stages.rl);
  const pixelsRan = state.stages.pixels.status === 'done';
  const pixels = pixelsRan
    ? summarizeAgent(
        'pixels',
        evalLines(join(runDir, 'pixels', RUN_FILES.metrics), 'pixels'),
        state.stages.pixels.detail?.episodes as number | undefined,
        state.stages.pixels,
      )
    : null;
  let frames: DriveReport['frames'] = null;
  try {
    const m = readFramesManifest(join(runDir, 'frames', 'collected'));
    frames = { count: m.count, bytes: m.count * m.frameBytes, sources: m.sources };
  } catch {
    frames = null;
  }
  const vaeLines = (readJsonlLines(join(runDir, RUN_FILES.metrics)).lines as MetricLine[]).filter((l) => l.kind === 'vae');
  const lastVal = [...vaeLines].reverse().find((l) => typeof l.val_loss === 'number');
  const lastTrain = [...vaeLines].reverse().find((l) => typeof l.train_loss === 'number' || typeof l.loss === 'number');
  const table: TableRow[] = [baselineRow('Random policy', random), baselineRow('Zero policy', zero)];
  const px = agentRow('Deep RL from pixels (conv encoder from scratch, critic loss)', pixels);
  if (px) table.push(px);
  else
    table.push({
      method: 'Deep RL from pixels',
      episodes: null,
      distanceM: null,
      minutes: null,
      mpd: Number.NaN,
      disengagements: Number.NaN,
      routes: seeds.length,
      cleanRoutes: 0,
      note: d.pixels.enabled ? 'not finished' : 'not run (drive.pixels.enabled false)',
    });
  const vr = agentRow(`Deep RL from VAE (${env.vae?.mode ?? 'frozen'} encoder)`, vae);
  if (vr) table.push(vr);
  const report: DriveReport = {
    run: { name: config.name, seed: config.seed, algo: config.algo, dir: runDir },
    createdAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadAverage: loadavg(), node: process.version },
    protocol: {
      routes: seeds.length,
      routeLengthM: d.routeLengthM,
      seeds,
      rule: d.disengagementRule,
      note: `${seeds.length} held-out roads (test seeds ${seeds[0]}..${seeds.at(-1)}), a ${d.routeLengthM} m route on each from the lane centre, no exploration noise; ${RULE_TEXT[d.disengagementRule]}; at a disengagement the safety driver puts the car back on the lane centre and it drives on. Disengagements are totals over the routes; MPD = total distance / max(1, disengagements).`,
      fresh: {
        routes: fresh.length,
        seeds: fresh.length ? [fresh[0]!, fresh.at(-1)!] : null,
        note: fresh.length
          ? `Fresh routes: ${fresh.length} further held-out roads (test seeds ${fresh[0]}..${fresh.at(-1)}, disjoint from the stopping routes), driven once by each agent's final policy, same protocol.`
          : 'Fresh routes: none (drive.freshRoutes is 0).',
      },
    },
    stages: Object.fromEntries(
      Object.entries(state.stages).map(([k, s]) => [
        k,
        { status: k === 'report' ? 'done' : s.status, seconds: s.seconds, stopReason: k === 'report' ? 'written' : (s.stopReason ?? null) },
      ]),
    ),
    frames,
    vaeTraining: {
      lastTrainLoss: (lastVal?.train_loss as number | undefined) ?? (lastTrain?.loss as number | undefined) ?? null,
      lastValLoss: (lastVal?.val_loss as number | undefined) ?? null,
      epochs: (state.stages.vae.detail?.epochs as number | undefined) ?? null,
    },
    vae,
    pixels,
    baselines: { random, zero },
    table,
    kendall: KENDALL_TABLE_I_FULL,
    goals: {
      episodesAtMost11: vae.firstCleanEpisode === null ? null : vae.firstCleanEpisode <= 11,
      pipelineMinutesAtMost10: vae.pipelineSecondsToClean === null ? null : vae.pipelineSecondsToClean <= 600,
      vaeFewerEpisodesThanPixels: vaeFewerEpisodes(vae, pixels),
    },
  };
  writeJsonAtomic(join(runDir, 'report.json'), report);
  writeFileAtomic(join(runDir, 'report.md'), reportMarkdown(report));
  return report;
}

export { KENDALL_TABLE_I };
