/**
 * The drive bench (`npm run cli -- bench drive`): Kendall et al. 2018's Table I reproduction on
 * several seeds. Each seed is one `drive` run in a child process (one at a time: the machine is
 * shared), into <out>/seed-<S>; the per-seed reports are gathered into results.json and a
 * summary table (episodes and wall clock to the first evaluation without a disengagement, final
 * MPD, pixels baseline, goals). `competitors: N` runs N busy processes beside every seed's run
 * (bench/competitors.ts): the budgets are episodes, so a busy machine should change the wall clock
 * only, never the episodes or the result.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { startCompetitors } from '../competitors.js';
import { vaeFewerEpisodes, type DriveReport } from '../../src-main/pipelines/drive/report.js';
import { writeJsonAtomic } from '../../src-main/core/durable-write.js';

export interface DriveBenchOptions {
  seeds: number[];
  algo: string;
  outDir: string;
  /** Extra `drive` options passed through (e.g. --pixels-minutes 5). */
  driveArgs: string[];
  /** Busy processes beside each seed's run (0: none). */
  competitors?: number;
  log(line: string): void;
}

export interface DriveBenchSeed {
  seed: number;
  dir: string;
  exitCode: number;
  wallClockS: number;
  /** 1-minute load average when the seed's run started and ended (competitors included). */
  loadAverage: { start: number; end: number };
  firstCleanEpisode: number | null;
  pipelineSecondsToClean: number | null;
  trainDistanceToClean: number | null;
  episodesTrained: number;
  finalMpd: number | null;
  finalDisengagements: number | null;
  bestDisengagements: number | null;
  stages: Record<string, { status: string; seconds: number }>;
  pixels: { firstCleanEpisode: number | null; episodes: number; bestDisengagements: number | null; finalMpd: number | null } | null;
  table: DriveReport['table'] | null;
}

export interface DriveBenchResult {
  machine: { cpus: number; model: string; memGiB: number; node: string; loadAverageAtEnd: number[] };
  date: string;
  algo: string;
  driveArgs: string[];
  competitors: number;
  seeds: DriveBenchSeed[];
  goals: { cleanWithin11Episodes: boolean; pipelineWithin10Minutes: boolean; vaeFewerEpisodesThanPixels: boolean | null };
  files: { results: string };
}

function runSeed(seed: number, o: DriveBenchOptions): Promise<{ code: number; seconds: number; dir: string }> {
  const dir = join(o.outDir, `seed-${seed}`);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  const args = ['--import', 'tsx', 'src-main/cli/bin.ts', 'drive', '--seed', String(seed), '--algo', o.algo, '--out', dir, ...o.driveArgs];
  const t0 = performance.now();
  const competitors = o.competitors ? startCompetitors(o.competitors) : undefined;
  if (competitors) o.log(`seed ${seed}: ${o.competitors} busy competitor process(es) beside it (pids ${competitors.pids.join(', ')})`);
  return new Promise<{ code: number; seconds: number; dir: string }>((res, rej) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line && !/TensorFlow\.js|tfjs-node|^=+$/.test(line)) o.log(`seed ${seed}: ${line}`);
      }
    });
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, seconds: (performance.now() - t0) / 1000, dir }));
  }).finally(() => competitors?.stop());
}

export async function runDriveBench(o: DriveBenchOptions): Promise<DriveBenchResult> {
  mkdirSync(o.outDir, { recursive: true });
  const seeds: DriveBenchSeed[] = [];
  for (const seed of o.seeds) {
    o.log(`seed ${seed}: drive ${o.algo} ...`);
    const loadStart = loadavg()[0]!;
    const r = await runSeed(seed, o);
    const loadEnd = loadavg()[0]!;
    const reportPath = join(r.dir, 'report.json');
    const rep = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as DriveReport) : null;
    seeds.push({
      seed,
      dir: r.dir,
      exitCode: r.code,
      wallClockS: r.seconds,
      loadAverage: { start: loadStart, end: loadEnd },
      firstCleanEpisode: rep?.vae.firstCleanEpisode ?? null,
      pipelineSecondsToClean: rep?.vae.pipelineSecondsToClean ?? null,
      trainDistanceToClean: rep?.vae.trainDistanceToClean ?? null,
      episodesTrained: rep?.vae.episodesTrained ?? 0,
      finalMpd: rep?.vae.final?.mpd ?? null,
      finalDisengagements: rep?.vae.final?.disengagements ?? null,
      bestDisengagements: rep?.vae.best?.disengagements ?? null,
      stages: rep?.stages ?? {},
      pixels: rep?.pixels
        ? {
            firstCleanEpisode: rep.pixels.firstCleanEpisode,
            episodes: rep.pixels.episodesTrained,
            bestDisengagements: rep.pixels.best?.disengagements ?? null,
            finalMpd: rep.pixels.final?.mpd ?? null,
          }
        : null,
      table: rep?.table ?? null,
    });
    const s = seeds.at(-1)!;
    o.log(
      `seed ${seed}: exit ${r.code}, ${r.seconds.toFixed(0)} s; first clean evaluation after ${s.firstCleanEpisode ?? '-'} episode(s), ${s.pipelineSecondsToClean === null ? '-' : (s.pipelineSecondsToClean / 60).toFixed(2)} min from a fresh run`,
    );
  }
  const results = join(o.outDir, 'results.json');
  const result: DriveBenchResult = {
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtEnd: loadavg(),
    },
    date: new Date().toISOString(),
    algo: o.algo,
    driveArgs: o.driveArgs,
    competitors: o.competitors ?? 0,
    seeds,
    goals: {
      cleanWithin11Episodes: seeds.every((s) => s.firstCleanEpisode !== null && s.firstCleanEpisode <= 11),
      pipelineWithin10Minutes: seeds.every((s) => s.pipelineSecondsToClean !== null && s.pipelineSecondsToClean <= 600),
      // Per seed: yes / no / not measured (a pixels agent whose budget ended before it had trained
      // as many episodes as the VAE agent needed); all seeds yes = yes, any no = no.
      vaeFewerEpisodesThanPixels: ((per) => (per.some((x) => x === false) ? false : per.every((x) => x === true) ? true : null))(
        seeds.map((s) =>
          vaeFewerEpisodes(
            { firstCleanEpisode: s.firstCleanEpisode },
            s.pixels && { firstCleanEpisode: s.pixels.firstCleanEpisode, episodesTrained: s.pixels.episodes },
          ),
        ),
      ),
    },
    files: { results },
  };
  writeJsonAtomic(results, result);
  return result;
}

const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));

export function formatDriveBench(r: DriveBenchResult): string {
  const lines = [
    `drive bench (${r.algo}), ${r.machine.cpus} cores, Node ${r.machine.node}${r.competitors ? `, ${r.competitors} busy competitor process(es) beside each run` : ''}, load at end ${r.machine.loadAverageAtEnd.map((x) => x.toFixed(1)).join('/')}`,
    '| seed | VAE agent: episodes to 0 disengagements | min from a fresh run | training distance (m) | final MPD (m) / disengagements | stages collect / vae / rl / pixels (s) | pixels agent: episodes to 0 (budget) / best disengagements |',
    '|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const s of r.seeds) {
    const st = (k: string) => f(s.stages[k]?.seconds, 0);
    lines.push(
      `| ${s.seed} | ${s.firstCleanEpisode ?? `not within ${s.episodesTrained}`} | ${s.pipelineSecondsToClean === null ? '-' : f(s.pipelineSecondsToClean / 60, 2)} | ${f(s.trainDistanceToClean)} | ${f(s.finalMpd)} / ${s.finalDisengagements ?? '-'} | ${st('collect')} / ${st('vae')} / ${st('rl')} / ${st('pixels')} | ${s.pixels ? `${s.pixels.firstCleanEpisode ?? `not within ${s.pixels.episodes}`} / ${s.pixels.bestDisengagements ?? '-'}` : '-'} |`,
    );
  }
  lines.push(
    '',
    `goals: clean within 11 episodes on every seed: ${r.goals.cleanWithin11Episodes ? 'met' : 'NOT met'}; within 10 min: ${r.goals.pipelineWithin10Minutes ? 'met' : 'NOT met'}; VAE fewer episodes than pixels: ${r.goals.vaeFewerEpisodesThanPixels === null ? 'not measured' : r.goals.vaeFewerEpisodesThanPixels ? 'yes' : 'no'}`,
  );
  return lines.join('\n');
}

export const DEFAULT_OUT = resolve('bench/out/drive');
