/** ApronApi over the Electron preload bridge (`window.apron`). */
import type { ApiArgs, ApiMethod, ApiResults, ApronApi } from '../../../src/api/contract.js';
import type { ApronBridge } from '../../../electron/bridge.js';
import { unwrapReply } from './reply.js';

export function createBridgeApi(bridge: ApronBridge): ApronApi {
  return {
    async call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResults[M]> {
      const reply = await bridge.invoke(method, args);
      return unwrapReply(method, reply);
    },
    fileUrl: (token) => bridge.fileUrl(token),
  };
}

/** Return the Electron bridge when the preload ran, else null (the UI is then served over HTTP). */
export function findBridge(target: Window): ApronBridge | null {
  const candidate = (target as Window & { apron?: ApronBridge }).apron;
  return candidate !== undefined && typeof candidate.invoke === 'function' ? candidate : null;
}
