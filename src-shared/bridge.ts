/**
 * What the Electron preload exposes to the renderer as `window.driveLab`: a raw request/event
 * pipe. Validation happens on both ends of it (the engine's Dispatcher, the renderer client).
 */
import type { RequestEnvelope, ResponseEnvelope } from './protocol.js';

export interface PreloadBridge {
  /** Sends one request envelope and resolves with its reply envelope. */
  request(envelope: RequestEnvelope): Promise<ResponseEnvelope>;
  /** Subscribes to every engine event; returns the unsubscribe function. */
  onEvent(listener: (channel: string, payload: unknown) => void): () => void;
}

export const BRIDGE_GLOBAL = 'driveLab';
/** ipcMain channel names used by the preload (not part of the app contract). */
export const IPC_REQUEST = 'drive-lab:request';
export const IPC_EVENT = 'drive-lab:event';
