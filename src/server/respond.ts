/** Small writers for JSON and error responses, so that every route responds in the same shape. */
import type { ServerResponse } from 'node:http';
import type { ApiErrorInfo } from '../api/contract.js';

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(text));
  response.setHeader('Cache-Control', 'no-store');
  response.end(text);
}

/** Send an error as the API's error reply, `{ ok: false, error }`, with the given status. */
export function sendError(response: ServerResponse, status: number, error: ApiErrorInfo): void {
  sendJson(response, status, { ok: false, error });
}
