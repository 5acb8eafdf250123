/**
 * The IPC contract: every request channel (with its request and response schema) and every
 * streamed event channel, defined once. The engine, the Electron preload bridge, the
 * WebSocket server, the renderer and the CLI all import this map; every message that
 * crosses a process boundary is validated against it.
 */
import { z } from 'zod';
import { RunConfig } from './config/run-config.js';
import { DriveRunView } from './drive-view.js';
import { DriveInput, EpisodeEntry, EpisodeTrack, RunFrame, RunManual, TakeoverOptions } from './live.js';
import { ArmScene, ArmSceneRequest } from './scene/arm.js';
import { LaneScene } from './scene/lane-scene.js';
import { EngineStatus, MetricLine, RunDetail, RunEvent, RunId, RunStatus, RunSummary, TrainSpeed } from './types.js';

const Empty = z.object({}).strict();
const ById = z.object({ id: RunId }).strict();
const Ok = z.object({ ok: z.literal(true) });

/** Request channels: `request` is what the caller sends, `response` what it gets back. */
export const requestChannels = {
  'engine.status': { request: Empty, response: EngineStatus, doc: 'Version, ML backend and resources of the engine.' },
  'runs.list': { request: Empty, response: z.array(RunSummary), doc: 'Every run in the runs folder, newest first.' },
  'runs.get': {
    request: ById,
    response: RunDetail.extend({
      /** The ML backend the run's worker last loaded, and why (absent before it first trained). */
      backendUsed: z.object({ name: z.string(), reason: z.string() }).optional(),
    }),
    doc: 'One run with its full config.',
  },
  'runs.create': {
    // The config is validated again by the engine with buildRunConfig (presets, defaults), and
    // a key the config does not have is refused there (as the CLI refuses it), never dropped.
    request: z.object({ config: z.record(z.string(), z.unknown()), id: RunId.optional() }).strict(),
    response: RunDetail,
    doc: "Create a run from a (partial) RunConfig; defaults fill the rest. `id`: the run folder's exact name (refused if it exists); default: a new one from the time and the name.",
  },
  'runs.rename': { request: z.object({ id: RunId, name: RunConfig.shape.name.unwrap() }).strict(), response: RunSummary, doc: 'Rename a run.' },
  'runs.delete': { request: ById, response: Ok, doc: 'Delete a run folder (refused while it trains).' },
  'runs.duplicate': {
    request: z.object({ id: RunId, changes: z.record(z.string(), z.unknown()).default({}) }).strict(),
    response: RunDetail,
    doc: "Copy a run's config, apply changes, and create a new run from it.",
  },
  'runs.metrics': {
    request: z.object({ id: RunId, from: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(100_000).default(10_000) }).strict(),
    response: z.object({ lines: z.array(MetricLine), next: z.number().int() }),
    doc: 'Lines of metrics.jsonl from line `from`; `next` is where to continue.',
  },
  'runs.events': {
    request: z.object({ id: RunId, from: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(100_000).default(10_000) }).strict(),
    response: z.object({ events: z.array(RunEvent), next: z.number().int() }),
    doc: 'Lines of events.jsonl from line `from`.',
  },
  'train.start': {
    request: z.object({ id: RunId, restart: z.boolean().default(false) }).strict(),
    response: RunSummary,
    doc: "Start (or resume from its last checkpoint) training a run in a worker thread. When the run has history but no checkpoint loads, it fails with each checkpoint's reason and changes nothing, unless `restart` asks to start again from step 0 (emptying its metrics and events).",
  },
  'runs.repair': {
    request: ById,
    response: z.object({ id: RunId, repaired: z.array(z.string()), summary: RunSummary }),
    doc: "Rebuild a damaged run.json from the run's config, checkpoints and metrics (the damaged file is kept beside it); config.json cannot be rebuilt.",
  },
  'train.pause': { request: ById, response: RunSummary, doc: 'Pause a training run.' },
  'train.resume': { request: ById, response: RunSummary, doc: 'Resume a paused run.' },
  'train.stop': { request: ById, response: RunSummary, doc: 'Stop a run after writing a checkpoint.' },
  'train.wait': {
    request: z.object({ id: RunId, seconds: z.number().int().min(1).max(3600).default(60) }).strict(),
    response: RunSummary.extend({ training: z.boolean() }),
    doc: 'A long poll: answers when the run is not training (its worker has ended and its final status is written) or after `seconds`; `training` says which.',
  },
  'train.evaluate': { request: ById, response: RunSummary, doc: 'Run a deterministic evaluation now (held-out seeds where the env has them).' },
  'train.setSpeed': {
    request: z.object({ id: RunId, speed: TrainSpeed }).strict(),
    response: z.object({ id: RunId, speed: TrainSpeed }),
    doc: "Simulation speed of a training run: realtime (sleeps to match the env's control rate) or fast (as fast as possible).",
  },
  'scene.arm': {
    request: ArmSceneRequest,
    response: ArmScene,
    doc: 'Static 3D description of a robot-arm env (bodies, joints, table, target) with the start pose of episode `seed`; per-step poses use ArmPose.',
  },
  'scene.lane': {
    // The config is validated by the engine against LaneEnvConfig (defaults fill the rest).
    request: z
      .object({
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1),
        config: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
    response: LaneScene,
    doc: 'The scene of a lane road seed (road, markings, colours, textures, props, lighting, camera, car) under a (partial) lane env config, for the 3D view.',
  },
  'live.watch': {
    request: z.object({ id: RunId, seconds: z.number().int().min(1).max(120).default(15) }).strict(),
    response: z.object({ id: RunId, streaming: z.boolean() }),
    doc: 'Stream run.frame events of a training run for the next `seconds` (a lease: renew it while the view is open). `streaming` is false when the run is not training.',
  },
  'train.takeover': {
    request: z.object({ id: RunId, on: z.boolean() }).extend(TakeoverOptions.shape).strict(),
    response: z.object({ id: RunId, manual: z.boolean() }),
    doc: 'Manual takeover of a lane run: on = the user drives (a "manual" disengagement ends the agent\'s episode; the env steps in real time with train.drive input); off = hand the car back to the agent.',
  },
  'train.drive': {
    request: z.object({ id: RunId }).extend(DriveInput.shape).strict(),
    response: z.object({ id: RunId, manual: z.boolean() }),
    doc: "The user's steering and throttle while driving by hand (send ~20 times a second; without input for 2 s the car goes back to the agent).",
  },
  'runs.episodes': {
    request: z.object({ id: RunId, limit: z.number().int().min(1).max(100_000).default(1000) }).strict(),
    response: z.object({ episodes: z.array(EpisodeEntry), bytes: z.number().int(), budgetBytes: z.number().int() }),
    doc: "The newest `limit` recorded episode tracks of a run (oldest first), with the recording's size and budget.",
  },
  'runs.track': {
    request: z.object({ id: RunId, episode: z.number().int().min(1), manual: z.boolean().default(false) }).strict(),
    response: EpisodeTrack,
    doc: 'The recorded pose track of one episode (manual: the drive by hand that followed it), for replay.',
  },
  'runs.drive': {
    request: ById,
    response: DriveRunView,
    doc: "A drive pipeline run (config with a drive block): its stages, the latest VAE reconstruction grid (PNG), the evaluation after every training episode, and the report's Table I once written.",
  },
  'runs.export': {
    request: z
      .object({
        id: RunId,
        checkpoint: z.union([z.enum(['best', 'last']), z.number().int().min(0)]).default('best'),
        formats: z
          .array(z.enum(['tfjs', 'onnx']))
          .min(1)
          .max(2)
          .default(['tfjs', 'onnx']),
      })
      .strict(),
    response: z.object({
      dir: z.string(),
      files: z.array(z.string()),
      samples: z.number().int(),
      tolerance: z.number(),
      /** Max abs difference of each written format from the TF.js actor on the verification inputs. */
      maxAbsDiff: z.object({ onnx: z.number().optional(), tfjs: z.number().optional(), actor: z.number().optional() }),
    }),
    doc: "Export a checkpoint's policy (TF.js and/or ONNX, verified) into the run's exports folder; progress comes as export.progress events.",
  },
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType; doc: string }>;

/** Event channels: pushed by the engine to every connected front door. */
export const eventChannels = {
  'engine.log': z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string(), t: z.number() }),
  'run.status': z.object({ id: RunId, status: RunStatus, step: z.number().int(), message: z.string().optional() }),
  /** The list of runs changed (from any front door): windows reload it instead of waiting for their next poll. */
  'runs.changed': z.object({ id: RunId, change: z.enum(['created', 'renamed', 'deleted']) }),
  'run.progress': z.object({
    id: RunId,
    step: z.number().int(),
    totalSteps: z.number().int(),
    episodes: z.number().int(),
    envStepsPerS: z.number(),
    updatesPerS: z.number(),
    /** The run's simulation speed (set with train.setSpeed; `fast` until then). */
    speed: TrainSpeed.optional(),
  }),
  'run.metric': z.object({ id: RunId, line: MetricLine }),
  'run.event': z.object({ id: RunId, event: RunEvent }),
  /** What the agent does now (sampled while a client holds a live.watch lease). */
  'run.frame': RunFrame,
  'run.manual': RunManual,
  'export.progress': z.object({ id: RunId, stage: z.string(), t: z.number() }),
} as const satisfies Record<string, z.ZodType>;

export type RequestChannel = keyof typeof requestChannels;
export type EventChannel = keyof typeof eventChannels;
/** What a caller may send on a channel (defaults may be omitted). */
export type RequestOf<C extends RequestChannel> = z.input<(typeof requestChannels)[C]['request']>;
/** What the handler receives after validation (defaults filled in). */
export type ParsedRequestOf<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['request']>;
export type ResponseOf<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['response']>;
export type EventOf<C extends EventChannel> = z.output<(typeof eventChannels)[C]>;

export function isRequestChannel(channel: string): channel is RequestChannel {
  return Object.prototype.hasOwnProperty.call(requestChannels, channel);
}
export function isEventChannel(channel: string): channel is EventChannel {
  return Object.prototype.hasOwnProperty.call(eventChannels, channel);
}

/** The one interface every front door uses to reach the engine (IPC, WebSocket or in-process). */
export interface EngineClient {
  request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Subscribes to an event channel; returns the unsubscribe function. */
  on<C extends EventChannel>(channel: C, listener: (payload: EventOf<C>) => void): () => void;
}
