/**
 * The two custom protocols: app://renderer/ serves the UI build, apron-file://files/<token>
 * serves dataset files. Files reach the page only through the engine's token check, which
 * resolves real paths inside the opened dataset's root; the page has no file:// access.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { protocol } from 'electron';
import { ApronError, toErrorInfo, type ErrorInfo } from '../src/core/errors.js';
import { createLogger } from '../src/core/log.js';
import { statusForErrorCode } from '../src/server/http-status.js';
import { CSP_DIRECTIVES, formatCsp } from '../src/server/security-headers.js';
import type { FileResolver } from '../src/server/server.js';
import { fileTokenOf, resolveAppAsset } from './app-urls.js';
import { APP_HOST, APP_PROTOCOL, FILE_PROTOCOL } from './bridge.js';

const log = createLogger('electron');

/** The renderer's own origin, the only one allowed to read dataset files with fetch(). */
const RENDERER_ORIGIN = `${APP_PROTOCOL}://${APP_HOST}`;

/** The CSP of `apron serve`, plus the file protocol for images and for fetching error details. */
const WINDOW_CSP = formatCsp({
  ...CSP_DIRECTIVES,
  'img-src': [...(CSP_DIRECTIVES['img-src'] ?? []), `${FILE_PROTOCOL}:`],
  'connect-src': [...(CSP_DIRECTIVES['connect-src'] ?? []), `${FILE_PROTOCOL}:`],
});

/** Must run before the app is ready: standard + secure gives both schemes origins, fetch and CSP 'self'. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: FILE_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } },
  ]);
}

export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_PROTOCOL, async (request) => {
    const asset = resolveAppAsset(rendererDir, request.url);
    if (!asset.ok) return errorResponse(asset.status, { code: 'not-found', message: asset.message });
    const body = await readFile(asset.path);
    return new Response(body, {
      headers: { 'Content-Type': asset.contentType, 'Content-Security-Policy': WINDOW_CSP, 'X-Content-Type-Options': 'nosniff' },
    });
  });
}

/** `getResolver` is read on every request, because opening another workspace replaces the engine. */
export function handleFileProtocol(getResolver: () => FileResolver): void {
  protocol.handle(FILE_PROTOCOL, async (request) => {
    const token = fileTokenOf(request.url);
    if (token === null) return errorResponse(400, { code: 'invalid-input', message: `Invalid dataset file URL: ${request.url}` });

    try {
      const file = await getResolver()(token);
      if ('body' in file) {
        return new Response(new Uint8Array(file.body), {
          headers: {
            'Content-Type': file.contentType,
            'Content-Length': String(file.body.byteLength),
            'X-Content-Type-Options': 'nosniff',
            'Access-Control-Allow-Origin': RENDERER_ORIGIN,
          },
        });
      }
      const stats = await stat(file.path).catch(() => undefined);
      if (stats === undefined || !stats.isFile()) {
        throw new ApronError('not-found', `The file ${file.path} is missing.`, {
          path: file.path,
          hint: 'The dataset folder may have moved or be incomplete; check it, or import the dataset again.',
        });
      }
      const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>;
      return new Response(body, {
        headers: {
          'Content-Type': file.contentType,
          'Content-Length': String(stats.size),
          'X-Content-Type-Options': 'nosniff',
          'Access-Control-Allow-Origin': RENDERER_ORIGIN,
        },
      });
    } catch (error) {
      if (!(error instanceof ApronError)) log.error(`serving file token ${token} failed`, error);
      const info = toErrorInfo(error);
      return errorResponse(statusForErrorCode(info.code), info);
    }
  });
}

function errorResponse(status: number, error: ErrorInfo): Response {
  return new Response(JSON.stringify({ ok: false, error }), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': RENDERER_ORIGIN },
  });
}
