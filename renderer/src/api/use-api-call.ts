/** Load one API result for a component, reloading when the arguments change. */
import { useCallback, useEffect, useState } from 'react';
import type { ApiArgs, ApiMethod, ApiResults } from '../../../src/api/contract.js';
import { useApi } from './api-context.js';

export type ApiCallState<T> =
  | { status: 'loading'; value: T | undefined }
  | { status: 'ok'; value: T }
  | { status: 'error'; value: T | undefined; error: unknown };

export interface ApiCallResult<T> {
  state: ApiCallState<T>;
  /** Load again with the same arguments, keeping the current value on screen meanwhile. */
  reload(): void;
  /** Change the loaded value in place, after an action whose result the caller already has. */
  update(change: (value: T) => T): void;
}

export function useApiCall<M extends ApiMethod>(method: M, args: ApiArgs<M>): ApiCallResult<ApiResults[M]> {
  const api = useApi();
  const key = JSON.stringify(args);
  const [state, setState] = useState<ApiCallState<ApiResults[M]>>({ status: 'loading', value: undefined });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    // A reply for arguments that changed meanwhile must not overwrite the newer one.
    let current = true;
    setState((previous) => ({ status: 'loading', value: previous.value }));
    api.call(method, JSON.parse(key) as ApiArgs<M>).then(
      (value) => {
        if (current) setState({ status: 'ok', value });
      },
      (error: unknown) => {
        if (current) setState((previous) => ({ status: 'error', value: previous.value, error }));
      },
    );
    return () => {
      current = false;
    };
  }, [api, method, key, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const update = useCallback((change: (value: ApiResults[M]) => ApiResults[M]) => {
    setState((previous) => (previous.value === undefined ? previous : { ...previous, value: change(previous.value) }));
  }, []);
  return { state, reload, update };
}
