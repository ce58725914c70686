/**
 * Serve the built renderer (dist/renderer) with an index.html fallback for client routes.
 *
 * The renderer routes with URL hashes, so the fallback matters only for a URL typed by hand with
 * a path, such as `/queues/3`: any path without a file extension gets index.html.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { contentTypeFor } from './content-types.js';
import { sendError } from './respond.js';
import { sendFile } from './send-file.js';

/**
 * Map a URL path to a file inside `root`, or return null when it would leave `root` (`..`,
 * encoded slashes, NUL bytes) or cannot be decoded. The Electron `app://` protocol uses the same check.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;

  const base = resolve(root);
  const target = resolve(base, '.' + (decoded.startsWith('/') ? decoded : '/' + decoded));
  if (target !== base && !target.startsWith(base + sep)) return null;
  return target;
}

/** Serve one GET or HEAD request for the renderer build in `staticDir`. */
export async function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  staticDir: string,
  urlPath: string,
): Promise<void> {
  const target = resolveStaticPath(staticDir, urlPath);
  if (target === null) {
    sendError(response, 400, { code: 'invalid-input', message: `Invalid path: ${urlPath}` });
    return;
  }

  const isRoot = target === resolve(staticDir);
  if (!isRoot) {
    // Vite puts content-hashed files under assets/, so they never change under the same name.
    const cacheControl = urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    const sent = await sendFile(request, response, target, { contentType: contentTypeFor(target), cacheControl });
    if (sent === 'sent') return;
    if (extname(target) !== '') {
      sendError(response, 404, { code: 'not-found', message: `Not found: ${urlPath}` });
      return;
    }
  }

  const index = join(staticDir, 'index.html');
  const sent = await sendFile(request, response, index, { contentType: contentTypeFor(index), cacheControl: 'no-cache' });
  if (sent === 'missing') {
    sendError(response, 404, {
      code: 'not-found',
      message: `The Apron UI is not built: ${index} is missing.`,
      hint: 'Run `npm run build`, then reload this page.',
      path: index,
    });
  }
}
