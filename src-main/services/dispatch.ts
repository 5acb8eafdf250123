/**
 * Validates and routes request envelopes to handlers. Whatever arrives (bad JSON, an unknown
 * channel, a payload of the wrong shape, a handler that throws), the caller gets a reply
 * envelope with an ErrorInfo and the engine keeps running.
 */
import { isRequestChannel, requestChannels, type ParsedRequestOf, type RequestChannel, type ResponseOf } from '../../src-shared/contract.js';
import { ContractError, formatIssues, RequestEnvelope, type ErrorInfo, type ResponseEnvelope } from '../../src-shared/protocol.js';

/** A full, read-only or unwritable disk is the machine's state, not a bug: said in words, no stack logged. */
function diskFault(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  const where = typeof e?.path === 'string' ? ` (${e.path})` : '';
  switch (e?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left on the disk${where}; free space and try again`;
    case 'EROFS':
      return `the runs folder is on a read-only file system${where}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied${where}`;
    default:
      return undefined;
  }
}

export type Handlers = {
  [C in RequestChannel]: (payload: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

export interface DispatchOptions {
  /** Called with unexpected errors (bugs), never with ContractErrors. */
  onInternalError?: (channel: string, error: unknown) => void;
}

export class Dispatcher {
  constructor(
    private readonly handlers: Handlers,
    private readonly options: DispatchOptions = {},
  ) {}

  /** Parses a raw text frame (WebSocket) and handles it. Never throws. */
  async handleText(text: string): Promise<ResponseEnvelope> {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return { type: 'res', id: -1, ok: false, error: { code: 'bad-envelope', message: 'message is not valid JSON' } };
    }
    return this.handleEnvelope(data);
  }

  /** Handles a decoded envelope of unknown shape. Never throws. */
  async handleEnvelope(data: unknown): Promise<ResponseEnvelope> {
    const env = RequestEnvelope.safeParse(data);
    if (!env.success) {
      // Echo the id only when it is one a reply can carry (an integer); else -1.
      const raw = (data as { id?: unknown } | null)?.id;
      const id = typeof raw === 'number' && Number.isSafeInteger(raw) ? raw : -1;
      return {
        type: 'res',
        id,
        ok: false,
        error: { code: 'bad-envelope', message: 'expected {type: "req", id, channel, payload}', issues: formatIssues(env.error) },
      };
    }
    const { id, channel, payload } = env.data;
    const result = await this.call(channel, payload);
    return 'error' in result ? { type: 'res', id, ok: false, error: result.error } : { type: 'res', id, ok: true, payload: result.value };
  }

  /** Validates `payload` for `channel`, runs the handler, validates its reply. Never throws. */
  async call(channel: string, payload: unknown): Promise<{ value: unknown } | { error: ErrorInfo }> {
    if (!isRequestChannel(channel)) {
      return { error: { code: 'unknown-channel', message: `unknown channel "${channel.slice(0, 100)}"` } };
    }
    const spec = requestChannels[channel];
    const parsed = spec.request.safeParse(payload ?? {});
    if (!parsed.success) {
      return { error: { code: 'bad-request', message: `invalid payload for ${channel}`, issues: formatIssues(parsed.error) } };
    }
    try {
      const handler = this.handlers[channel] as (p: unknown) => unknown;
      const value = await handler(parsed.data);
      const checked = spec.response.safeParse(value);
      if (!checked.success) {
        throw new Error(`handler for ${channel} returned a reply that breaks the contract: ${formatIssues(checked.error).join('; ')}`);
      }
      return { value: checked.data };
    } catch (error) {
      if (error instanceof ContractError) return { error: error.toInfo() };
      const disk = diskFault(error);
      if (disk) return { error: { code: 'unavailable', message: `${channel} failed: ${disk}` } };
      this.options.onInternalError?.(channel, error);
      const message = error instanceof Error ? error.message : String(error);
      return { error: { code: 'internal', message: `${channel} failed: ${message}` } };
    }
  }
}
