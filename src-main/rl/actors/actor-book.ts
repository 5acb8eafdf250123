/**
 * The learner's book of its actors: what each sent and when, the weight version of its latest
 * transitions, and the messages refused (of another run, of another config digest, malformed),
 * validated here with the shared schemas. Wall-clock figures only; never part of the numbers.
 */
import { ActorHeartbeat, TransitionBatch, type ActorsLine, type ActorState, type RejectedCounts } from '../../../src-shared/actors.js';
import { formatIssues } from '../../../src-shared/protocol.js';

export type Accepted =
  { kind: 'batch'; batch: TransitionBatch } | { kind: 'heartbeat'; beat: ActorHeartbeat } | { kind: 'error'; actor: string; message: string };

interface Entry {
  slot: number;
  steps: number;
  stepsPerS: number;
  version: number;
  lastSeen: number;
}

export class ActorBook {
  private readonly actors = new Map<string, Entry>();
  readonly rejected: RejectedCounts = { foreignRun: 0, foreignDigest: 0, malformed: 0 };
  /** The latest reason a message was refused (for one log line per kind). */
  lastRejection: string | undefined;

  constructor(
    private readonly runId: string,
    private readonly digest: string,
  ) {}

  /** Validates one message; returns it when it belongs to this run, else counts why not. */
  accept(raw: unknown): Accepted | undefined {
    const type = (raw as { type?: unknown } | null)?.type;
    if (type === 'error') {
      const r = raw as { actor?: unknown; message?: unknown };
      if (typeof r.actor === 'string' && typeof r.message === 'string') return { kind: 'error', actor: r.actor, message: r.message };
    }
    const schema = type === 'heartbeat' ? ActorHeartbeat : TransitionBatch;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return this.refuse('malformed', `a malformed message: ${formatIssues(parsed.error).slice(0, 3).join('; ')}`);
    const m = parsed.data;
    if (m.runId !== this.runId) return this.refuse('foreignRun', `a message of run "${m.runId}"`);
    if (m.digest !== this.digest) return this.refuse('foreignDigest', `a message of another config (digest ${m.digest})`);
    const e = this.entry(m.actor, m.slot);
    e.lastSeen = Date.now();
    e.stepsPerS = m.stepsPerS;
    if (m.type === 'heartbeat') return { kind: 'heartbeat', beat: m };
    e.version = m.version;
    return { kind: 'batch', batch: m as TransitionBatch };
  }

  private refuse(why: keyof RejectedCounts, text: string): undefined {
    this.rejected[why]++;
    this.lastRejection = text;
    return undefined;
  }

  private entry(actor: string, slot: number): Entry {
    let e = this.actors.get(actor);
    if (!e) {
      e = { slot, steps: 0, stepsPerS: 0, version: 0, lastSeen: Date.now() };
      this.actors.set(actor, e);
    }
    return e;
  }

  /** The learner stored `n` transitions of `actor`. */
  took(actor: string, n: number): void {
    const e = this.actors.get(actor);
    if (e) e.steps += n;
  }

  /** Transitions stored per actor id. */
  stepsByActor(): Record<string, number> {
    return Object.fromEntries([...this.actors].map(([id, e]) => [id, e.steps]));
  }

  states(version: number, alive: (actor: string, lastSeen: number) => boolean): ActorState[] {
    return [...this.actors].map(([actor, e]) => ({
      actor,
      slot: e.slot,
      steps: e.steps,
      stepsPerS: e.stepsPerS,
      versionLag: Math.max(0, version - e.version),
      lastSeen: e.lastSeen,
      alive: alive(actor, e.lastSeen),
    }));
  }

  line(step: number, transport: ActorsLine['transport'], version: number, alive: (actor: string, lastSeen: number) => boolean): ActorsLine {
    return { kind: 'actors', step, transport, version, actors: this.states(version, alive), rejected: { ...this.rejected } };
  }
}
