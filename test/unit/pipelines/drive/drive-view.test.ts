/**
 * runs.drive: the app's view of a drive pipeline run, read from its folder (stage states, the
 * latest VAE reconstruction grid, evaluations, the report's Table I), validated by the contract;
 * refused for runs that are not drive runs. Plus the Pipeline tab's pure helpers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCompletePng } from '../../../../src-main/pipelines/drive/drive-view.js';
import { Engine } from '../../../../src-main/services/engine.js';
import { encodePng } from '../../../../src-main/sim/lane/png.js';
import { ContractError } from '../../../../src-shared/protocol.js';
import { evalPlot, stageSummary } from '../../../../src-renderer/src/lib/drive/pipeline-view.js';
import { tempDir } from '../../../helpers/tmp.js';

const tmp = tempDir();
const engine = new Engine({ runsDir: tmp.dir });
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('runs.drive', () => {
  it('shows every stage pending before the pipeline starts, then what the run folder holds', async () => {
    const client = engine.client();
    const run = await client.request('runs.create', { config: { name: 'drive view', env: { id: 'lane', obs: 'vae' }, drive: {} } });
    expect(run.pipeline).toBe('drive'); // the runs list shows its env steps, not a fraction of the step cap
    const empty = await client.request('runs.drive', { id: run.id });
    expect(empty.stages.map((s) => [s.id, s.status])).toEqual([
      ['collect', 'pending'],
      ['vae', 'pending'],
      ['rl', 'pending'],
      ['pixels', 'pending'],
      ['report', 'pending'],
    ]);
    expect(empty.reconstruction).toBeNull();
    expect(empty.evaluations).toEqual([]);
    expect(empty.report).toBeNull();

    // What the pipeline writes: drive.json, vae/ PNGs, drive_eval metric lines, report.json.
    const dir = run.dir;
    const stage = (status: string, seconds: number, detail?: object) => ({ status, seconds, ...(detail ? { detail } : {}) });
    writeFileSync(
      join(dir, 'drive.json'),
      JSON.stringify({
        version: 1,
        stages: {
          collect: stage('done', 2.5, { frames: 3000, bytes: 36_864_000 }),
          vae: stage('done', 90, { epochs: 6, valLoss: { loss: 38.9 } }),
          rl: stage('running', 40),
          pixels: stage('pending', 0),
          report: stage('pending', 0),
        },
      }),
    );
    mkdirSync(join(dir, 'vae'), { recursive: true });
    const png = encodePng(new Uint8Array(4 * 2 * 3).fill(128), 4, 2);
    writeFileSync(join(dir, 'vae', 'recon-epoch-01.png'), png);
    writeFileSync(join(dir, 'vae', 'recon-epoch-02.png'), png);
    writeFileSync(join(dir, 'vae', 'reconstructions.png'), png);
    const evalLine = (episode: number, dis: number) => ({
      kind: 'drive_eval',
      agent: 'vae',
      step: episode * 20,
      episode,
      routes: 10,
      distance: 2500,
      disengagements: dis,
      mpd: dis ? 2500 / dis : 2500,
      clean_routes: dis ? 3 : 10,
      mean_abs_offset: 0.3,
      train_episodes: episode,
      train_distance: 100,
      train_steps: 200,
      rl_s: 10,
      pipeline_s: 100 + episode,
      eval_s: 1,
    });
    writeFileSync(
      join(dir, 'metrics.jsonl'),
      [{ kind: 'vae', step: 1, loss: 50 }, evalLine(1, 400), evalLine(2, 0)].map((l) => JSON.stringify(l)).join('\n') + '\n',
    );
    const row = { method: 'Deep RL from VAE (ours)', episodes: 2, distanceM: 100, minutes: 1.7, mpd: 2500, disengagements: 0, routes: 10, cleanRoutes: 10 };
    writeFileSync(
      join(dir, 'report.json'),
      JSON.stringify({
        createdAt: '2026-11-22T12:00:00Z',
        protocol: { routes: 10, routeLengthM: 250, seeds: [], note: '' },
        table: [row],
        kendall: [{ method: 'Deep RL from VAE', episodes: 11, distanceM: 195.5, minutes: 15, mpd: null, disengagements: 0 }],
        goals: { episodesAtMost11: true, pipelineMinutesAtMost10: true, vaeFewerEpisodesThanPixels: null },
      }),
    );

    const v = await client.request('runs.drive', { id: run.id });
    expect(v.stages.map((s) => s.status)).toEqual(['done', 'done', 'running', 'pending', 'pending']);
    expect(v.stages[1]!.seconds).toBe(90);
    expect(v.reconstruction?.epoch).toBe(2);
    expect(Buffer.from(v.reconstruction!.pngBase64, 'base64').equals(png)).toBe(true);
    expect(v.evaluations.map((e) => [e.episode, e.disengagements, e.cleanRoutes, e.seconds])).toEqual([
      [1, 400, 3, 101],
      [2, 0, 10, 102],
    ]);
    // The pixels baseline keeps its own log (pixels/metrics.jsonl); its points join the VAE agent's.
    mkdirSync(join(dir, 'pixels'), { recursive: true });
    writeFileSync(join(dir, 'pixels', 'metrics.jsonl'), JSON.stringify({ ...evalLine(1, 700), agent: 'pixels', rl_s: 12 }) + '\n');
    const both = await client.request('runs.drive', { id: run.id });
    expect(both.evaluations.map((e) => [e.agent, e.episode, e.disengagements, e.seconds])).toEqual([
      ['vae', 1, 400, 101],
      ['vae', 2, 0, 102],
      ['pixels', 1, 700, 12],
    ]);
    expect(v.report?.table[0]).toMatchObject({ method: row.method, episodes: 2, disengagements: 0 });
    expect(v.report?.kendall[0]?.mpd).toBeNull();
    expect(v.report?.goals).toEqual({ episodesAtMost11: true, pipelineMinutesAtMost10: true, vaeFewerEpisodesThanPixels: null });

    // The Pipeline tab's one-line summaries of finished stages.
    expect(stageSummary(v.stages[0]!)).toBe('3,000 frames (36.9 MB)');
    expect(stageSummary(v.stages[1]!)).toBe('6 epochs, held-out loss 38.9');

    // A grid cut short (no IEND chunk) is left out, not sent; the whole one is sent again after.
    writeFileSync(join(dir, 'vae', 'reconstructions.png'), png.subarray(0, png.length - 6));
    expect((await client.request('runs.drive', { id: run.id })).reconstruction).toBeNull();
    writeFileSync(join(dir, 'vae', 'reconstructions.png'), png);
    expect((await client.request('runs.drive', { id: run.id })).reconstruction?.bytes).toBe(png.length);
  });

  it('isCompletePng: signature and IEND', () => {
    const png = encodePng(new Uint8Array(3 * 3 * 3).fill(7), 3, 3);
    expect(isCompletePng(png)).toBe(true);
    expect(isCompletePng(png.subarray(0, png.length - 1))).toBe(false);
    expect(isCompletePng(png.subarray(0, 30))).toBe(false);
    expect(isCompletePng(new Uint8Array(png.length))).toBe(false);
  });

  it('refuses runs that are not drive runs, and unknown ids', async () => {
    const client = engine.client();
    const run = await client.request('runs.create', { config: { name: 'plain', env: { id: 'pendulum' } } });
    expect(run.pipeline).toBeUndefined();
    await expect(client.request('runs.drive', { id: run.id })).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/not a drive pipeline run/),
    });
    await expect(client.request('runs.drive', { id: 'no-such-run' })).rejects.toBeInstanceOf(ContractError);
  });
});

describe('evaluation plot', () => {
  it('puts episodes on x and disengagements on a sqrt scale, one line per agent', () => {
    const p = (agent: 'vae' | 'pixels', episode: number, disengagements: number) => ({
      agent,
      episode,
      disengagements,
      mpd: 1,
      cleanRoutes: 0,
      routes: 10,
      seconds: 0,
    });
    const plot = evalPlot([p('vae', 1, 400), p('vae', 2, 100), p('vae', 4, 0), p('pixels', 1, 400)], 540, 210, { l: 40, r: 0, t: 10, b: 0 });
    expect(plot.lines.map((l) => l.agent)).toEqual(['vae', 'pixels']);
    const [d1, d2, d4] = plot.lines[0]!.dots;
    expect(d1!.x).toBeCloseTo(40 + 500 / 4);
    expect(d4!.x).toBeCloseTo(540);
    expect(d1!.y).toBeCloseTo(10); // the most disengagements at the top
    expect(d4!.y).toBeCloseTo(210); // 0 at the bottom
    expect(d2!.y).toBeCloseTo(10 + 200 * (1 - Math.sqrt(100) / Math.sqrt(400))); // halfway on sqrt
    expect(plot.yTicks.map((t) => t.label)).toEqual(['0', '1', '10', '100', '400']);
  });
});
