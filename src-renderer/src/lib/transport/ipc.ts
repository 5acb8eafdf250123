/** Transport over the Electron preload bridge (contextIsolation + sandbox). */
import type { PreloadBridge } from '../../../../src-shared/bridge';
import type { Transport } from './types';

export function createIpcTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'ipc',
    state: 'open',
    request: (envelope) => bridge.request(envelope),
    onEvent: (listener) => bridge.onEvent(listener),
    onState: (listener) => {
      listener('open');
      return () => {};
    },
  };
}
