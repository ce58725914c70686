/**
 * Fetches sensor files (point bytes, projection bytes, map overlays) by token. The server replies to
 * a failed request with JSON `{error: {message, hint}}`, and the view shows that message.
 */

/** A sensor file that could not be fetched, with the server's message and hint when it sent them. */
export class SensorFetchError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'SensorFetchError';
    this.hint = hint;
  }
}

/** Fetch `url` and return the successful response; raise SensorFetchError with the server's message otherwise. */
export async function fetchSensorFile(url: string, fileDescription: string, signal: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new SensorFetchError(`The ${fileDescription} could not be fetched: ${error instanceof Error ? error.message : String(error)}.`, 'Check that Apron is still running, then reload.');
  }
  if (response.ok) return response;
  throw await describeFailedResponse(response, fileDescription);
}

async function describeFailedResponse(response: Response, fileDescription: string): Promise<SensorFetchError> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown; hint?: unknown } };
    const message = body.error?.message;
    const hint = body.error?.hint;
    if (typeof message === 'string') return new SensorFetchError(message, typeof hint === 'string' ? hint : undefined);
  } catch {
    // The body was not an error reply: fall through to the status line.
  }
  return new SensorFetchError(`The ${fileDescription} could not be fetched: HTTP ${response.status} ${response.statusText}.`.replace(' .', '.'));
}

/** Text of an error for a view: the message, then the hint when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof SensorFetchError && error.hint !== undefined) return `${error.message} ${error.hint}`;
  return error instanceof Error ? error.message : String(error);
}

/** Ask the server why an image failed to load: its error replies carry a message and a hint. */
export async function describeImageFailure(src: string): Promise<string> {
  try {
    const response = await fetch(src);
    const body = (await response.json()) as { error?: { message?: unknown; hint?: unknown } };
    const message = body.error?.message;
    const hint = body.error?.hint;
    if (typeof message === 'string') return typeof hint === 'string' ? `${message} ${hint}` : message;
  } catch {
    // The body was not an error reply: fall through to the generic message.
  }
  return 'The image could not be loaded or decoded. Check that the file exists and is a PNG or JPEG.';
}
