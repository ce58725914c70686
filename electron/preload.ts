/**
 * The preload of the Apron window. It runs sandboxed, so it is bundled into one CommonJS file
 * (dist/electron/preload.cjs) and may import only `electron` at run time.
 *
 * It exposes `window.apron` (ApronBridge): one generic call over the `apron:call` channel and the
 * URL of a dataset file. Raw ipcRenderer never reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiArgs, ApiMethod, ApiReply } from '../src/api/contract.js';
import { API_CALL_CHANNEL, fileUrlFor, type ApronBridge } from './bridge.js';

const bridge: ApronBridge = {
  invoke<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiReply<M>> {
    return ipcRenderer.invoke(API_CALL_CHANNEL, method, args) as Promise<ApiReply<M>>;
  },
  fileUrl: fileUrlFor,
};

contextBridge.exposeInMainWorld('apron', bridge);
