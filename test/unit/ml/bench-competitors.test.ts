/** The benches' busy competitor processes: they run until stopped, and stop() ends every one. */
import { describe, expect, it } from 'vitest';
import { startCompetitors } from '../../../bench/competitors.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('bench competitors', () => {
  it('starts n busy processes and stop() ends them all', async () => {
    const c = startCompetitors(2);
    try {
      expect(c.pids).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 200));
      expect(c.pids.every(alive)).toBe(true);
    } finally {
      c.stop();
    }
    for (let i = 0; i < 50 && c.pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
    expect(c.pids.some(alive)).toBe(false);
  });
});
