import { describe, expect, it } from 'vitest';
import { RunMetrics } from '../metrics/run-metrics';
import { chartsFor, humanizeField } from './catalog';
import { alignSeries, buildChartData } from './chart-data';
import { ema } from './smoothing';

function metrics(lines: Array<Record<string, unknown> & { kind: string; step: number }>): RunMetrics {
  const m = new RunMetrics();
  m.push(lines);
  return m;
}

describe('chart catalog', () => {
  it('draws the known charts present in the data, in a fixed order', () => {
    const m = metrics([
      { kind: 'train', step: 1000, critic_loss: 1, actor_loss: 2, q_mean: 3, updates_per_s: 100, env_steps_per_s: 900 },
      { kind: 'eval', step: 1000, mean_return: -300, std_return: 20, episodes: 10 },
      { kind: 'episode', step: 200, return: -1000, length: 200 },
    ]);
    expect(chartsFor([m]).map((c) => c.id)).toEqual(['episode-return', 'eval-return', 'critic-loss', 'actor-loss', 'q-values', 'throughput', 'episode-length']);
  });

  it('adds a chart for every unknown numeric field, so env fields appear without UI changes', () => {
    const m = metrics([
      { kind: 'episode', step: 200, return: 10, length: 200, distance: 55, disengagements: 1, mpd: 55, mean_abs_offset: 0.3 },
      { kind: 'eval', step: 1000, mean_return: 1, std_return: 0, episodes: 5, mpd: 40 },
      { kind: 'vae', step: 1000, recon_loss: 0.1 },
    ]);
    const ids = chartsFor([m]).map((c) => c.id);
    expect(ids).toContain('episode-distance');
    expect(ids).toContain('episode-mpd');
    expect(ids).toContain('episode-mean_abs_offset');
    expect(ids).toContain('eval-mpd');
    expect(ids).toContain('vae-recon_loss');
    expect(ids).not.toContain('eval-episodes');
    // The per-episode MPD and disengagement count feed the MPD chart, not charts of their own.
    expect(ids).not.toContain('episode-disengagements');
    expect(ids).not.toContain('eval-std_return');
    expect(chartsFor([m]).find((c) => c.id === 'vae-recon_loss')!.title).toBe('Vae: recon loss');
  });

  it('takes the union of fields over compared runs', () => {
    const a = metrics([{ kind: 'episode', step: 1, return: 1 }]);
    const b = metrics([{ kind: 'episode', step: 1, return: 2, distance: 3 }]);
    expect(chartsFor([a, b]).map((c) => c.id)).toEqual(['episode-return', 'episode-distance']);
  });

  it('humanizes field names', () => {
    expect(humanizeField('mean_abs_offset')).toBe('mean abs offset');
    expect(humanizeField('meanSpeed')).toBe('mean speed');
    expect(humanizeField('env_steps_per_s')).toBe('env steps/s');
    expect(humanizeField('mpd')).toBe('MPD');
  });
});

describe('smoothing', () => {
  it('is the identity at weight 0 and debiased at the start', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = ema([10, 10, 10], 0.9);
    for (const v of s) expect(v).toBeCloseTo(10, 10);
  });
  it('lags behind a step change and skips nulls', () => {
    const s = ema([0, null, 0, 10], 0.5);
    expect(s[1]).toBeNull();
    expect(s[3]!).toBeGreaterThan(0);
    expect(s[3]!).toBeLessThan(10);
  });
});

describe('chart data', () => {
  it('aligns series with different steps on one x axis', () => {
    const cols = alignSeries([
      { x: [1, 3], y: [10, 30] },
      { x: [2, 3], y: [20, 31] },
    ]);
    expect(cols).toEqual([
      [1, 2, 3],
      [10, null, 30],
      [null, 20, 31],
    ]);
  });

  it('draws MPD as metres so far per disengagement so far, not each episode again', () => {
    const m = metrics([
      { kind: 'episode', step: 100, return: 30, distance: 30, disengagements: 1 },
      { kind: 'episode', step: 300, return: 250, distance: 250, disengagements: 0 },
      { kind: 'episode', step: 400, return: 20, distance: 20, disengagements: 1 },
    ]);
    const spec = chartsFor([m]).find((c) => c.id === 'episode-mpd')!;
    const d = buildChartData(spec, [{ id: 'a', name: 'a', color: 'red', metrics: m }], 0.6);
    expect(d.columns[0]).toEqual([100, 300, 400]);
    expect(d.columns[1]).toEqual([30, 280, 150]);
  });

  it('builds a mean ± std band for evaluation return', () => {
    const m = metrics([
      { kind: 'eval', step: 1000, mean_return: -300, std_return: 20, episodes: 10 },
      { kind: 'eval', step: 2000, mean_return: -200, std_return: 10, episodes: 10 },
    ]);
    const spec = chartsFor([m]).find((c) => c.id === 'eval-return')!;
    const d = buildChartData(spec, [{ id: 'a', name: 'a', color: 'red', metrics: m }], 0.6);
    expect(d.series.map((s) => s.role)).toEqual(['main', 'band-upper', 'band-lower']);
    expect(d.columns[1]).toEqual([-300, -200]);
    expect(d.columns[2]).toEqual([-280, -190]);
    expect(d.columns[3]).toEqual([-320, -210]);
    expect(d.bands).toEqual([[2, 3]]);
    expect(d.points).toBe(2);
    expect(d.positive).toBe(false);
  });

  it('draws raw + smoothed for one run and only smoothed lines when comparing', () => {
    const a = metrics([
      { kind: 'episode', step: 200, return: -1000 },
      { kind: 'episode', step: 400, return: -500 },
    ]);
    const b = metrics([{ kind: 'episode', step: 300, return: -800 }]);
    const spec = chartsFor([a])[0]!;
    const one = buildChartData(spec, [{ id: 'a', name: 'A', color: 'red', metrics: a }], 0.5);
    expect(one.series.map((s) => s.role)).toEqual(['raw', 'main']);
    const two = buildChartData(
      spec,
      [
        { id: 'a', name: 'A', color: 'red', metrics: a },
        { id: 'b', name: 'B', color: 'blue', metrics: b },
      ],
      0.5,
    );
    expect(two.series.map((s) => `${s.label}:${s.role}`)).toEqual(['A:main', 'B:main']);
    expect(two.columns[0]).toEqual([200, 300, 400]);
  });

  it('merges points at the same step and sorts steps that went backwards', () => {
    const m = metrics([
      { kind: 'episode', step: 400, return: 4 },
      { kind: 'episode', step: 200, return: 1 },
      { kind: 'episode', step: 200, return: 3 },
    ]);
    const spec = chartsFor([m])[0]!;
    const d = buildChartData(spec, [{ id: 'a', name: 'A', color: 'red', metrics: m }], 0);
    expect(d.columns).toEqual([
      [200, 400],
      [2, 4],
    ]);
    expect(d.positive).toBe(true);
  });
});
