/**
 * Message envelopes for every transport (Electron IPC, WebSocket, worker threads).
 * Pure TypeScript: no Node, no DOM. The channel map itself lives in ./contract.ts.
 */
import { z } from 'zod';

/** Error codes a reply can carry; the UI and CLI show `message`, never a stack. */
export const ErrorCode = z.enum([
  'bad-envelope', // not JSON, or not {type, id, channel, payload}
  'unknown-channel', // channel is not in the contract
  'bad-request', // payload does not match the channel's request schema
  'not-found', // e.g. a run id that does not exist
  'conflict', // e.g. starting a run that is already running
  'unauthorized', // WebSocket client without the right token
  'unavailable', // a feature this build or machine cannot provide
  'internal', // a bug: logged with its stack on the main side
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorInfo = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Human-readable validation problems, one per invalid field ("config.td3.gamma: must be <= 1"). */
  issues: z.array(z.string()).optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

/** Longest channel name accepted; anything longer is a bad envelope. */
export const MAX_CHANNEL_LENGTH = 100;

export const RequestEnvelope = z.object({
  type: z.literal('req'),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  channel: z.string().min(1).max(MAX_CHANNEL_LENGTH),
  payload: z.unknown(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

export const ResponseEnvelope = z.union([
  z.object({ type: z.literal('res'), id: z.number().int(), ok: z.literal(true), payload: z.unknown() }),
  z.object({ type: z.literal('res'), id: z.number().int(), ok: z.literal(false), error: ErrorInfo }),
]);
export type ResponseEnvelope = z.infer<typeof ResponseEnvelope>;

export const EventEnvelope = z.object({
  type: z.literal('event'),
  channel: z.string().min(1).max(MAX_CHANNEL_LENGTH),
  payload: z.unknown(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

export const ServerEnvelope = z.union([ResponseEnvelope, EventEnvelope]);
export type ServerEnvelope = z.infer<typeof ServerEnvelope>;

/** Turns zod issues into short "path: message" lines for replies and CLI errors. */
export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/** An error that travels as an ErrorInfo reply instead of crashing the engine. */
export class ContractError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: string[],
  ) {
    super(message);
    this.name = 'ContractError';
  }
  toInfo(): ErrorInfo {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}
