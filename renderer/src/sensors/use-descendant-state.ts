import { useEffect, useState, type RefObject } from 'react';
import { combineViewStates, type ViewState } from './view-state.js';

function readDescendantStates(root: HTMLElement): ViewState[] {
  return Array.from(root.querySelectorAll<HTMLElement>('[data-state]'), (element) => {
    const state = element.dataset['state'];
    return state === 'ready' || state === 'error' ? state : 'loading';
  });
}

/**
 * Return the combined `data-state` of every element below `rootRef`, watched with a
 * MutationObserver. `key` names what is shown (the sample ids): until the children have been read
 * for the current key the result is `loading`, so a new pair never inherits the previous `ready`.
 */
export function useDescendantState(rootRef: RefObject<HTMLElement | null>, key: string): ViewState {
  const [result, setResult] = useState<{ key: string; state: ViewState } | null>(null);

  useEffect(() => {
    const root = rootRef.current;
    if (root === null) return;
    const update = (): void => {
      const state = combineViewStates(readDescendantStates(root));
      setResult((previous) => (previous?.key === key && previous.state === state ? previous : { key, state }));
    };
    update();
    const observer = new MutationObserver(update);
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    return () => observer.disconnect();
  }, [rootRef, key]);

  return result?.key === key ? result.state : 'loading';
}
