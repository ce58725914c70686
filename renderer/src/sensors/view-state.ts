/**
 * The `data-state` attribute of every sensor view: `loading` until its data is drawn, then `ready`
 * or `error`. End-to-end tests and the rendering benchmark wait on it.
 */
export type ViewState = 'loading' | 'ready' | 'error';

/** Combine child states: loading while any child loads, else error if any failed, else ready (also with no children). */
export function combineViewStates(states: Iterable<ViewState>): ViewState {
  let failed = false;
  for (const state of states) {
    if (state === 'loading') return 'loading';
    if (state === 'error') failed = true;
  }
  return failed ? 'error' : 'ready';
}
