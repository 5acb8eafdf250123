/** One transport interface, two implementations (Electron preload bridge, WebSocket). */
import type { RequestEnvelope, ResponseEnvelope } from '../../../../src-shared/protocol';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Transport {
  readonly kind: 'ipc' | 'websocket';
  /** Sends a request envelope; resolves with the reply (rejects only if the link is down). */
  request(envelope: RequestEnvelope): Promise<ResponseEnvelope>;
  onEvent(listener: (channel: string, payload: unknown) => void): () => void;
  onState(listener: (state: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
}
