/** Read a JSON request body with a size limit. */
import type { IncomingMessage } from 'node:http';
import type { ApiErrorInfo } from '../api/contract.js';

/** A request the server rejects before it reaches the API, with the HTTP status to send. */
export class RejectedRequest extends Error {
  readonly status: number;
  readonly info: ApiErrorInfo;

  constructor(status: number, info: ApiErrorInfo) {
    super(info.message);
    this.name = 'RejectedRequest';
    this.status = status;
    this.info = info;
  }
}

/**
 * Read the whole body and parse it as JSON; an empty body is `{}`.
 *
 * Rejects with 413 as soon as more than `maxBytes` arrive. The rest of the body is then read and
 * dropped rather than buffered, so that the client can still receive the 413 response.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > maxBytes) {
    request.resume();
    throw tooLarge(maxBytes);
  }

  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        request.off('data', onData);
        request.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });

  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RejectedRequest(400, {
      code: 'invalid-input',
      message: `The request body is not valid JSON: ${(error as Error).message}`,
      hint: 'Send the call arguments as a JSON object.',
    });
  }
}

function tooLarge(maxBytes: number): RejectedRequest {
  return new RejectedRequest(413, {
    code: 'invalid-input',
    message: `The request body is larger than the limit of ${maxBytes} bytes.`,
    hint: 'API calls carry small JSON arguments; send less data per call.',
  });
}
