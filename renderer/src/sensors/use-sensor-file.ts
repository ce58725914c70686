/** Load and decode one sensor file by token, cancelling the fetch when the token changes or the view unmounts. */
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-context.js';
import { fetchSensorFile } from './fetch-sensor.js';

export type SensorFileState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ok'; value: T }
  | { status: 'error'; error: unknown };

/** Decodes a successful response, for example `decodePoints(await response.arrayBuffer())`. */
export type SensorDecoder<T> = (response: Response) => Promise<T>;

/**
 * Return the state of the file behind `token` (`idle` when the token is null). A result is kept
 * with the token it belongs to, so the state reads `loading` from the very render in which the
 * token changes, never the previous sample's `ok`.
 */
export function useSensorFile<T>(token: string | null, fileDescription: string, decode: SensorDecoder<T>): SensorFileState<T> {
  const api = useApi();
  const [result, setResult] = useState<{ token: string; state: SensorFileState<T> } | null>(null);
  const decodeRef = useRef(decode);
  decodeRef.current = decode;

  useEffect(() => {
    if (token === null) return;
    const controller = new AbortController();
    const load = async (): Promise<T> => decodeRef.current(await fetchSensorFile(api.fileUrl(token), fileDescription, controller.signal));
    load().then(
      (value) => {
        if (!controller.signal.aborted) setResult({ token, state: { status: 'ok', value } });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ token, state: { status: 'error', error } });
      },
    );
    return () => controller.abort();
  }, [api, token, fileDescription]);

  if (token === null) return { status: 'idle' };
  if (result === null || result.token !== token) return { status: 'loading' };
  return result.state;
}
