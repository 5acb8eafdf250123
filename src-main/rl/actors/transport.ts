/**
 * How a learner reaches its actors: worker threads in its own process (./inproc.ts) or any
 * number of processes on any machine through Redis (./redis/). The learner validates every
 * message it drains; a transport only carries them.
 */
import type { ActorWeights, TransitionBatch } from '../../../src-shared/actors.js';
import type { ActorInit } from './protocol.js';

export interface ActorTransport {
  readonly kind: 'inproc' | 'redis';
  /** Set when the transport can no longer reach its actors (Redis gone): the learner pauses the run. */
  readonly failure?: Error | undefined;
  /** Starts the actors (in-process) or announces the run to those that join (Redis). */
  start(): Promise<void>;
  /** New weights for every actor, and for those that join later. */
  broadcast(weights: ActorWeights): Promise<void>;
  /** Messages received since the last call, not yet validated. */
  drain(): unknown[];
  /** The learner took `batch`: its actor may send another. */
  ack(batch: TransitionBatch): void;
  /** Resolves when a message arrives, or after `ms`. */
  wait(ms: number): Promise<void>;
  /** Whether the actor with this id is still there (as far as the transport knows). */
  alive(actor: string, lastSeen: number): boolean;
  /** Stops the actors (in-process) or tells them the run has ended (Redis); releases everything. */
  close(finished: boolean): Promise<void>;
}

/** What a transport needs to start an actor: its init for a slot and an incarnation. */
export type ActorInitOf = (slot: number, generation: number) => ActorInit;

/** Where a transport reports actors leaving and joining. */
export type TransportLog = (level: 'info' | 'warn' | 'error', message: string) => void;
