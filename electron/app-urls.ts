/**
 * URLs of the two custom protocols: app://renderer/<file> for the UI build and
 * apron-file://files/<token> for dataset files. Pure, so that unit tests run it without Electron.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { contentTypeFor } from '../src/server/content-types.js';
import { resolveStaticPath } from '../src/server/static-files.js';
import { APP_HOST, APP_PROTOCOL, FILE_PROTOCOL } from './bridge.js';

/** The URL the window loads first. */
export const RENDERER_INDEX_URL = `${APP_PROTOCOL}://${APP_HOST}/index.html`;

export type AppAsset = { ok: true; path: string; contentType: string } | { ok: false; status: number; message: string };

/**
 * Map an app:// request to a file of the renderer build, with the index.html fallback that
 * `apron serve` has for paths without an extension. Paths that leave the folder are rejected.
 */
export function resolveAppAsset(rendererDir: string, requestUrl: string): AppAsset {
  const url = new URL(requestUrl);
  if (url.host !== APP_HOST) return { ok: false, status: 404, message: `Unknown app host "${url.host}".` };

  const target = resolveStaticPath(rendererDir, url.pathname);
  if (target === null) return { ok: false, status: 400, message: `Invalid path: ${url.pathname}` };
  if (isFile(target)) return { ok: true, path: target, contentType: contentTypeFor(target) };

  const index = join(rendererDir, 'index.html');
  if (target !== index && extname(target) !== '') return { ok: false, status: 404, message: `Not found: ${url.pathname}` };
  if (!isFile(index)) {
    return { ok: false, status: 404, message: `The Apron UI is not built: ${index} is missing. Run \`npm run build\`.` };
  }
  return { ok: true, path: index, contentType: contentTypeFor(index) };
}

/** Extract the token of an apron-file://files/<token> URL; returns null for any other URL. */
export function fileTokenOf(requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${FILE_PROTOCOL}:` || url.host !== 'files') return null;
  const encoded = url.pathname.replace(/^\//, '');
  if (encoded === '' || encoded.includes('/')) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
