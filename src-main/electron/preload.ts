/**
 * The preload bridge: exposes exactly two functions to the sandboxed renderer, and nothing of
 * Node or Electron. Payloads are validated by the engine's Dispatcher and the renderer client.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, IPC_EVENT, IPC_REQUEST, type PreloadBridge } from '../../src-shared/bridge.js';

const bridge: PreloadBridge = {
  request: (envelope) => ipcRenderer.invoke(IPC_REQUEST, envelope),
  onEvent: (listener) => {
    const handler = (_e: IpcRendererEvent, channel: string, payload: unknown) => listener(channel, payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
