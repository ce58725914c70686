/** POST /api/<method>: parse the JSON body, pass it to the dispatcher and send back its ApiReply. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiMethod, ApiReply } from '../api/contract.js';
import { toErrorInfo } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { statusForErrorCode } from './http-status.js';
import { readJsonBody, RejectedRequest } from './request-body.js';
import { sendError, sendJson } from './respond.js';

const log = createLogger('server');

/** Checks the method name and arguments and runs the call; never rejects for a bad call. */
export type ApiDispatch = (method: string, rawArgs: unknown) => Promise<ApiReply<ApiMethod>>;

export async function handleApiRequest(
  request: IncomingMessage,
  response: ServerResponse,
  method: string,
  dispatch: ApiDispatch,
  maxBodyBytes: number,
): Promise<void> {
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'POST');
    sendError(response, 405, {
      code: 'invalid-input',
      message: `API calls use POST; got ${request.method ?? 'no method'} for /api/${method}.`,
    });
    return;
  }
  checkCrossSiteRequest(request);

  const args = await readJsonBody(request, maxBodyBytes);
  let reply: ApiReply<ApiMethod>;
  try {
    reply = await dispatch(method, args);
  } catch (error) {
    // The dispatcher turns every failure into an error reply; reaching this is a bug in it.
    log.error(`api ${method} threw instead of returning an error reply`, error);
    sendError(response, 500, toErrorInfo(error));
    return;
  }

  if (reply.ok) {
    sendJson(response, 200, reply);
    return;
  }
  // The dispatcher logs its own internal errors with their stack; repeating them here adds nothing.
  log.debug(`api ${method} returned ${reply.error.code}: ${reply.error.message}`);
  sendJson(response, statusForErrorCode(reply.error.code), reply);
}

/**
 * Reject calls that another site's page could send. A cross-site page can POST text/plain or a
 * form without a CORS preflight, so only `application/json` is accepted, because that type needs a
 * preflight and this server never approves one. A request that carries an Origin header must also
 * come from this server's own origin.
 */
function checkCrossSiteRequest(request: IncomingMessage): void {
  const contentType = request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new RejectedRequest(415, {
      code: 'invalid-input',
      message: `API calls need Content-Type: application/json; got ${contentType === '' ? 'none' : contentType}.`,
    });
  }

  const origin = request.headers.origin;
  const ownOrigin = `http://${request.headers.host ?? ''}`;
  if (origin !== undefined && origin !== ownOrigin) {
    throw new RejectedRequest(403, {
      code: 'invalid-input',
      message: `API calls from another origin are rejected: ${origin}.`,
      hint: `Open the Apron UI at ${ownOrigin} itself.`,
    });
  }
}
