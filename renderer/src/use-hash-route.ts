import { useSyncExternalStore } from 'react';
import { parseRoute, routeHash, type Route } from './routes.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const currentHash = (): string => window.location.hash;

/** Return the current route, updated on every hash change. */
export function useHashRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, currentHash));
}

/**
 * Go to a route. `replace` swaps the history entry instead of adding one, so that stepping
 * through a queue does not leave hundreds of entries behind the Back button.
 */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const hash = routeHash(route);
  if (options.replace === true) window.location.replace(hash);
  else window.location.hash = hash;
}
