import { describe, expect, it } from 'vitest';
import { vaeFewerEpisodes } from '../../../../src-main/pipelines/drive/report.js';

describe('drive report: "VAE agent needs fewer episodes than the pixels agent"', () => {
  it('compares first clean episodes when both agents got there', () => {
    expect(vaeFewerEpisodes({ firstCleanEpisode: 5 }, { firstCleanEpisode: 9, episodesTrained: 9 })).toBe(true);
    expect(vaeFewerEpisodes({ firstCleanEpisode: 9 }, { firstCleanEpisode: 9, episodesTrained: 9 })).toBe(false);
    expect(vaeFewerEpisodes({ firstCleanEpisode: null }, { firstCleanEpisode: 9, episodesTrained: 9 })).toBe(false);
  });

  it('says yes for a never-clean pixels agent only if it trained at least as many episodes as the VAE agent needed', () => {
    expect(vaeFewerEpisodes({ firstCleanEpisode: 5 }, { firstCleanEpisode: null, episodesTrained: 5 })).toBe(true);
    // Its 2-minute budget ended after 3 episodes; the VAE agent needed 7: nothing shown either way.
    expect(vaeFewerEpisodes({ firstCleanEpisode: 7 }, { firstCleanEpisode: null, episodesTrained: 3 })).toBeNull();
    expect(vaeFewerEpisodes({ firstCleanEpisode: null }, { firstCleanEpisode: null, episodesTrained: 30 })).toBeNull();
    expect(vaeFewerEpisodes({ firstCleanEpisode: 4 }, null)).toBeNull();
  });
});
