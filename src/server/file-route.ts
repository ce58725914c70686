/** GET /files/<token>: a dataset file, or sensor data computed from one, that the engine resolved from an opaque token. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApronError, toErrorInfo } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { statusForErrorCode } from './http-status.js';
import { sendError } from './respond.js';
import { sendBytes, sendFile } from './send-file.js';

const log = createLogger('server');

/** A file on disk (a path already checked to lie inside the dataset's root), or bytes computed for the request. */
export type ResolvedFile = { path: string; contentType: string } | { body: Uint8Array; contentType: string };

/** Turns a file token into a path, or throws ApronError (`not-found` for an unknown token). */
export type FileResolver = (token: string) => ResolvedFile | Promise<ResolvedFile>;

export async function handleFileRequest(
  request: IncomingMessage,
  response: ServerResponse,
  encodedToken: string,
  resolveFile: FileResolver,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    sendError(response, 405, { code: 'invalid-input', message: `Files are read with GET; got ${request.method ?? 'no method'}.` });
    return;
  }

  let token: string;
  try {
    token = decodeURIComponent(encodedToken);
  } catch {
    sendError(response, 400, { code: 'invalid-input', message: `Invalid file token in the URL: ${encodedToken}` });
    return;
  }

  let file: ResolvedFile;
  try {
    file = await resolveFile(token);
  } catch (error) {
    const info = toErrorInfo(error);
    if (!(error instanceof ApronError)) log.error(`resolving file token ${token} failed`, error);
    sendError(response, statusForErrorCode(info.code), info);
    return;
  }

  // Dataset files do not change under a token while a dataset is open, so the browser may reuse them for a while.
  if ('body' in file) {
    sendBytes(request, response, file.body, { contentType: file.contentType, cacheControl: 'private, max-age=300' });
    return;
  }
  const sent = await sendFile(request, response, file.path, { contentType: file.contentType, cacheControl: 'private, max-age=300' });
  if (sent === 'missing') {
    sendError(response, 404, {
      code: 'not-found',
      message: `The file ${file.path} is missing.`,
      hint: 'The dataset folder may have moved or be incomplete; check it, or import the dataset again.',
      path: file.path,
    });
  }
}
