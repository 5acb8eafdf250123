import { describe, expect, it } from 'vitest';
import { RunMetrics } from './run-metrics';

describe('RunMetrics', () => {
  it('splits lines into columns per kind and back-fills fields that appear later', () => {
    const m = new RunMetrics();
    m.push([
      { kind: 'episode', step: 200, return: -1200, length: 200 },
      { kind: 'train', step: 1000, critic_loss: 3.5, actor_loss: 20, q_mean: -20 },
      { kind: 'episode', step: 400, return: -900, length: 200, distance: 12.5 },
    ]);
    const ep = m.table('episode')!;
    expect(ep.steps).toEqual([200, 400]);
    expect(ep.columns.get('return')).toEqual([-1200, -900]);
    expect(ep.columns.get('distance')).toEqual([null, 12.5]);
    expect(m.table('train')!.columns.get('q_mean')).toEqual([-20]);
    expect(m.lineCount).toBe(3);
    expect(m.version).toBe(1);
  });

  it('keeps every column as long as the steps when a field goes missing or is null', () => {
    const m = new RunMetrics();
    m.push([
      { kind: 'train', step: 1, critic_loss: 1, actor_loss: 2 },
      { kind: 'train', step: 2, critic_loss: null as unknown as number },
      { kind: 'train', step: 3, critic_loss: 0.5, actor_loss: 1, note: 'text is ignored' },
    ]);
    const t = m.table('train')!;
    expect(t.columns.get('critic_loss')).toEqual([1, null, 0.5]);
    expect(t.columns.get('actor_loss')).toEqual([2, null, 1]);
    expect(t.columns.has('note')).toBe(false);
    expect(t.last('critic_loss')).toBe(0.5);
  });

  it('counts corrupt lines as consumed file lines without charting them', () => {
    const m = new RunMetrics();
    m.push([
      { kind: 'corrupt-line', step: -1, line: 4 },
      { kind: 'episode', step: 5, return: 1 },
    ]);
    expect(m.lineCount).toBe(2);
    expect(m.kinds.has('corrupt-line')).toBe(false);
    m.push([{ kind: 'episode', step: 6, return: 2 }], false);
    expect(m.lineCount).toBe(2);
  });
});
