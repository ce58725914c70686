/** HTTP status codes for the structured error codes that cross the API boundary. */

const STATUS_BY_CODE: Record<string, number> = {
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  // The request was understood but the data on disk it points at is broken.
  'invalid-manifest': 422,
  'unreadable-file': 422,
  // The client cancelled the work. 409 reports that the request did not complete, without blaming the server.
  cancelled: 409,
  'backend-unavailable': 503,
  internal: 500,
};

/** Return the HTTP status for an error code; codes this table does not list are server errors (500). */
export function statusForErrorCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}
