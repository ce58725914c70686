/** Keyboard shortcuts of the pair view: S same, D different, U unsure, Z undo, arrows to move. */
import { useLayoutEffect, useRef } from 'react';
import type { Verdict } from '../../../src/api/contract.js';

export interface ReviewKeyHandlers {
  onVerdict(verdict: Verdict): void;
  onUndo(): void;
  onNext(): void;
  onPrevious(): void;
}

const VERDICT_KEYS: Record<string, Verdict> = { s: 'same', d: 'different', u: 'unsure' };

/** Check whether a key press goes to a text field, where letters are text and not commands. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

export function useReviewKeys(handlers: ReviewKeyHandlers): void {
  // Handlers change on every render; the listener reads the latest ones through a ref.
  const latest = useRef(handlers);
  latest.current = handlers;

  // A layout effect attaches the listener before the first paint, so a key pressed as soon as the
  // pair is visible is not lost (a passive effect may run a frame later).
  useLayoutEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || isTypingTarget(event.target)) return;
      // Ctrl/Cmd/Alt combinations belong to the browser and the menu (Ctrl+Z, Cmd+D, ...).
      if (event.ctrlKey || event.metaKey || event.altKey) return;

      const key = event.key.toLowerCase();
      const verdict = VERDICT_KEYS[key];
      if (verdict !== undefined) {
        event.preventDefault();
        // Holding a key down must not decide a run of pairs.
        if (!event.repeat) latest.current.onVerdict(verdict);
      } else if (key === 'z') {
        event.preventDefault();
        if (!event.repeat) latest.current.onUndo();
      } else if (event.key === 'ArrowRight') {
        event.preventDefault();
        latest.current.onNext();
      } else if (event.key === 'ArrowLeft') {
        event.preventDefault();
        latest.current.onPrevious();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
