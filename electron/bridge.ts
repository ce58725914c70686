/**
 * The names and types shared by the Electron main process, the preload and the renderer.
 *
 * The preload hands ApiReply values to the renderer unchanged, rather than throwing on
 * `{ ok: false }`: an Error thrown across contextBridge keeps only its message, so the code and
 * hint a person needs would be lost. The renderer unwraps replies (renderer/src/api/bridge-api.ts).
 *
 * This file must stay free of Electron imports, because the renderer imports its types.
 */
import type { ApiArgs, ApiMethod, ApiReply } from '../src/api/contract.js';

/** The one IPC channel for API calls, handled by ipcMain.handle in the main process. */
export const API_CALL_CHANNEL = 'apron:call';

/** Scheme of the protocol that serves dataset files by token: `apron-file://files/<token>`. */
export const FILE_PROTOCOL = 'apron-file';

/** Scheme and host the renderer is loaded from: `app://renderer/index.html`. */
export const APP_PROTOCOL = 'app';
export const APP_HOST = 'renderer';

/** The object the preload exposes as `window.apron`. */
export interface ApronBridge {
  /** Run an API call in the engine and return its reply, error replies included. */
  invoke<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiReply<M>>;
  /** URL of a dataset file for a token from a SampleView. */
  fileUrl(token: string): string;
}

export function fileUrlFor(token: string): string {
  return `${FILE_PROTOCOL}://files/${encodeURIComponent(token)}`;
}
