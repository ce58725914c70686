/**
 * The Apron window and the rules every web contents follows: isolated and sandboxed renderer,
 * no navigation away from the app, no new windows, no webviews, no permission grants.
 * The settings follow Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security).
 */
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, session, type WebContents } from 'electron';
import { createLogger } from '../src/core/log.js';
import { RENDERER_INDEX_URL } from './app-urls.js';
import { isRendererUrl } from './trusted-sender.js';

const log = createLogger('electron');

const PRELOAD_PATH = fileURLToPath(new URL('./preload.cjs', import.meta.url));

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 920,
    minWidth: 900,
    minHeight: 600,
    title: 'Apron',
    show: false,
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(RENDERER_INDEX_URL);
  return window;
}

/** Lock down every web contents the app creates, present and future. */
export function applyContentsRules(): void {
  app.on('web-contents-created', (_event, contents) => lockDown(contents));

  // The UI needs no camera, microphone, notifications or other permission.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn(`denied a request for permission "${permission}"`);
    callback(false);
  });
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (isRendererUrl(url)) return;
    event.preventDefault();
    log.warn(`blocked navigation to ${url}`);
  });
  contents.on('will-redirect', (event, url) => {
    if (isRendererUrl(url)) return;
    event.preventDefault();
    log.warn(`blocked a redirect to ${url}`);
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn(`blocked a new window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('blocked a webview');
  });
}
