/**
 * The main process's side of an `apron:call` IPC message: check who sent it and what it carries,
 * then hand it to the engine. Pure, so that unit tests run it without Electron.
 */
import type { ApiMethod, ApiReply } from '../src/api/contract.js';
import { createLogger } from '../src/core/log.js';
import type { ApiDispatch } from '../src/server/server.js';
import { isTrustedSender, type SenderFrame } from './trusted-sender.js';

const log = createLogger('electron');

/** Check the sender and the method name, then dispatch. Every failure becomes an error reply. */
export async function handleApiCall(
  sender: SenderFrame | null,
  method: unknown,
  args: unknown,
  dispatch: ApiDispatch,
): Promise<ApiReply<ApiMethod>> {
  if (!isTrustedSender(sender)) {
    const url = sender?.url ?? 'an unknown frame';
    log.warn(`rejected an API call to ${String(method)} from ${url}: only the Apron window may call the engine`);
    return {
      ok: false,
      error: { code: 'invalid-input', message: `API calls are accepted only from the Apron window, not from ${url}.` },
    };
  }
  if (typeof method !== 'string') {
    return { ok: false, error: { code: 'invalid-input', message: `The API method name must be a string; got ${typeof method}.` } };
  }
  return dispatch(method, args);
}
