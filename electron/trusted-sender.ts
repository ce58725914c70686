/**
 * The sender check for engine calls: only the top frame of our own renderer, loaded from
 * app://renderer/, may call. Pure, so that unit tests run it without Electron.
 */
import { APP_HOST, APP_PROTOCOL } from './bridge.js';

/** Check whether a URL belongs to the renderer build served by the app:// protocol. */
export function isRendererUrl(url: string | undefined): boolean {
  if (url === undefined || url === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_PROTOCOL}:` && parsed.host === APP_HOST;
}

export interface SenderFrame {
  url: string | undefined;
  /** False for iframes: the renderer has none, so a call from one did not come from our code. */
  isMainFrame: boolean;
}

export function isTrustedSender(frame: SenderFrame | null): boolean {
  return frame !== null && frame.isMainFrame && isRendererUrl(frame.url);
}
