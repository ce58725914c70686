/** Send a file from disk, or bytes from memory, as a response: the renderer build, dataset files and sensor data. */
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ApronError } from '../core/errors.js';
import { createLogger } from '../core/log.js';

const log = createLogger('server');

export interface SendFileOptions {
  contentType: string;
  cacheControl: string;
}

/**
 * Stream `path` with status 200, or return 'missing' without responding when there is no regular
 * file there, so that the caller can choose the fallback. A file that exists but cannot be opened
 * raises `unreadable-file`. HEAD requests get the headers only.
 */
export async function sendFile(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  options: SendFileOptions,
): Promise<'sent' | 'missing'> {
  const handle = await openRegularFile(path);
  if (handle === undefined) return 'missing';

  const { size } = await handle.stat();
  response.statusCode = 200;
  response.setHeader('Content-Type', options.contentType);
  response.setHeader('Content-Length', size);
  response.setHeader('Cache-Control', options.cacheControl);
  if (request.method === 'HEAD') {
    await handle.close();
    response.end();
    return 'sent';
  }

  try {
    await pipeline(handle.createReadStream(), response);
  } catch (error) {
    // A client that navigates away mid-transfer closes the socket; that is not a server fault.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      log.error(`sending ${path} failed after ${response.headersSent ? 'the headers were sent' : 'opening it'}`, error);
    }
    response.destroy();
  }
  return 'sent';
}

/** Sends bytes computed in memory (a decoded sweep, a rendered raster) with status 200. */
export function sendBytes(request: IncomingMessage, response: ServerResponse, body: Uint8Array, options: SendFileOptions): void {
  response.statusCode = 200;
  response.setHeader('Content-Type', options.contentType);
  response.setHeader('Content-Length', body.byteLength);
  response.setHeader('Cache-Control', options.cacheControl);
  response.end(request.method === 'HEAD' ? undefined : body);
}

async function openRegularFile(path: string): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw new ApronError('unreadable-file', `Cannot open ${path}: ${(error as Error).message}`, {
      path,
      hint: 'Check that the file is readable by the user running Apron.',
      cause: error,
    });
  }

  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    return undefined;
  }
  return handle;
}
