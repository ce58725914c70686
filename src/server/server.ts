/**
 * The HTTP server of `apron serve`: the typed API under /api, dataset files under /files, and the
 * built renderer for everything else.
 *
 *   POST /api/<method>   JSON arguments in, an ApiReply out (200, or 4xx/5xx by error code)
 *   GET  /files/<token>  a dataset file, resolved by the engine from an opaque token
 *   GET  /*              the renderer from `staticDir`, index.html for paths without an extension
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiErrorInfo } from '../api/contract.js';
import { ApronError, toErrorInfo } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { handleApiRequest, type ApiDispatch } from './api-route.js';
import { handleFileRequest, type FileResolver } from './file-route.js';
import { isLoopbackHost, isLoopbackHostHeader } from './loopback.js';
import { RejectedRequest } from './request-body.js';
import { sendError } from './respond.js';
import { applySecurityHeaders } from './security-headers.js';
import { serveStatic } from './static-files.js';

export type { ApiDispatch } from './api-route.js';
export type { FileResolver, ResolvedFile } from './file-route.js';

const log = createLogger('server');

/** API arguments are small JSON objects; 1 MiB leaves room for long notes. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions {
  /** Address to bind; default 127.0.0.1. Any other than a loopback address exposes the API, which has no authentication. */
  host?: string;
  /** TCP port; default 0, which picks any free port. */
  port?: number;
  dispatch: ApiDispatch;
  resolveFile: FileResolver;
  /** Folder of the built renderer (dist/renderer). */
  staticDir: string;
  /** Maximum request body size in bytes; default 1 MiB. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  /** Base URL without a trailing slash, for example `http://127.0.0.1:41235`. */
  url: string;
  /** Stop listening, end open connections and resolve when the server has closed. */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const guardHost = isLoopbackHost(host);

  const server = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => respondWithFailure(request, response, error));
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    applySecurityHeaders(response);
    if (guardHost && !isLoopbackHostHeader(request.headers.host)) {
      throw new RejectedRequest(403, {
        code: 'invalid-input',
        message: `Rejected a request for host "${request.headers.host ?? ''}": this server accepts only localhost, 127.0.0.1 and [::1].`,
        hint: `Open ${url} instead.`,
      });
    }

    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname.startsWith('/api/')) {
      await handleApiRequest(request, response, pathname.slice('/api/'.length), options.dispatch, maxBodyBytes);
    } else if (pathname.startsWith('/files/')) {
      await handleFileRequest(request, response, pathname.slice('/files/'.length), options.resolveFile);
    } else if (request.method === 'GET' || request.method === 'HEAD') {
      await serveStatic(request, response, options.staticDir, pathname);
    } else {
      response.setHeader('Allow', 'GET, HEAD');
      sendError(response, 405, { code: 'invalid-input', message: `${request.method ?? 'No method'} is not allowed on ${pathname}.` });
    }
  }

  await new Promise<void>((resolve, reject) => {
    const onListenError = (error: NodeJS.ErrnoException): void => reject(listenFailure(error, host, port));
    server.once('error', onListenError);
    server.listen(port, host, () => {
      server.off('error', onListenError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info(`listening on ${url}, serving the UI from ${options.staticDir}`);
  if (!guardHost) log.warn(`bound to ${host}, which is not a loopback address: anyone who can reach it can read and write decisions`);

  server.on('error', (error) => log.error(`server on ${url} failed`, error));

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error !== undefined) reject(error);
          else {
            log.info(`stopped ${url}`);
            resolve();
          }
        });
        // Keep-alive connections from a browser would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}

function respondWithFailure(request: IncomingMessage, response: ServerResponse, error: unknown): void {
  let status: number;
  let info: ApiErrorInfo;
  if (error instanceof RejectedRequest) {
    status = error.status;
    info = error.info;
    log.warn(`rejected ${request.method ?? ''} ${request.url ?? ''}: ${info.message}`);
  } else {
    status = 500;
    info = toErrorInfo(error);
    log.error(`${request.method ?? ''} ${request.url ?? ''} failed`, error);
  }

  if (response.headersSent) {
    response.destroy();
    return;
  }
  // After a 413 the rest of the body is still arriving; closing the connection stops it.
  if (status === 413) response.setHeader('Connection', 'close');
  sendError(response, status, info);
}

function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): ApronError {
  if (error.code === 'EADDRINUSE') {
    return new ApronError('conflict', `Cannot listen on ${host}:${port}: the port is already in use.`, {
      hint: 'Stop the other server, or choose another port with --port (0 picks a free one).',
      cause: error,
    });
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return new ApronError('invalid-input', `Cannot listen on ${host}: this machine has no such address.`, {
      hint: 'Use 127.0.0.1, or an address of one of this machine\'s network interfaces.',
      cause: error,
    });
  }
  return new ApronError('internal', `Cannot listen on ${host}:${port}: ${error.message}`, { cause: error });
}
