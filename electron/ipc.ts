/** The one IPC handler of the main process: `apron:call`, checked and passed to the engine. */
import { ipcMain } from 'electron';
import type { ApiDispatch } from '../src/server/server.js';
import { handleApiCall } from './api-call.js';
import { API_CALL_CHANNEL } from './bridge.js';

/** `getDispatch` is read on every call, because opening another workspace replaces the engine. */
export function handleApiCalls(getDispatch: () => ApiDispatch): void {
  ipcMain.handle(API_CALL_CHANNEL, (event, method: unknown, args: unknown) => {
    const frame = event.senderFrame;
    const sender = frame === null ? null : { url: frame.url, isMainFrame: frame.parent === null };
    return handleApiCall(sender, method, args, getDispatch());
  });
}
