import { createContext, useContext, type ReactNode } from 'react';
import type { ApronApi } from '../../../src/api/contract.js';

const ApiContext = createContext<ApronApi | null>(null);

export function ApiProvider({ api, children }: { api: ApronApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

/** Return the API chosen at start-up. */
export function useApi(): ApronApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi() needs an <ApiProvider> above it');
  return api;
}
