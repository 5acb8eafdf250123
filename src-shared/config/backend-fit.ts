/**
 * Which runs the webgpu backend can train, and how. WebGPU in Node reads GPU buffers back only
 * asynchronously, so the learner cannot act (every action is a read) nor read TD errors or a
 * C51 projection per update. On webgpu the learner therefore trains on the GPU while actor
 * threads act on a CPU backend (the parallel-actors layout, `actors.mode: "async"`), and
 * evaluations run in a thread of their own: a webgpu run without an `actors` block gets one
 * (`withBackendLayout`), and a run that layout cannot take is refused when it is created
 * (`backendMisfit`), not at its first read.
 */
import { ActorsConfig } from './actors.js';
import type { RunConfig } from './run-config.js';

/** Algorithms a GPU learner trains behind CPU actors: deterministic actors fed by a replay buffer. */
export const WEBGPU_ALGOS = ['td3', 'ddpg', 'd4pg'] as const;

/** The config a run trains with: on webgpu, the parallel-actors layout when the run names none. */
export function withBackendLayout(config: RunConfig): RunConfig {
  if (config.backend !== 'webgpu' || config.actors || config.drive) return config;
  return { ...config, actors: ActorsConfig.parse({ mode: 'async' }) };
}

/** Why this run cannot train on its backend, in one line; undefined when it can. */
export function backendMisfit(config: RunConfig): string | undefined {
  if (config.backend !== 'webgpu') return undefined;
  const why = 'webgpu in Node reads the GPU only asynchronously, so its learner trains behind actor threads';
  if (config.drive) return `the drive pipeline cannot train on webgpu (${why}); use --backend auto`;
  if (!(WEBGPU_ALGOS as readonly string[]).includes(config.algo))
    return `${config.algo} cannot train on webgpu (${why}: use ${WEBGPU_ALGOS.join(', ')}, or --backend auto)`;
  if (config.actors?.mode === 'sync') return `actors.mode "sync" cannot train on webgpu (${why}); use "async"`;
  const replay = config.algo === 'd4pg' ? config.d4pg?.replay : config.td3.replay;
  if (replay && replay.type !== 'uniform') return `${replay.type} replay cannot train on webgpu (${why}; it needs uniform replay)`;
  return undefined;
}
