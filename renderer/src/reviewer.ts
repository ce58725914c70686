/** The reviewer name, asked once and kept in localStorage so that every decision carries it. */
import { useCallback, useState } from 'react';

const STORAGE_KEY = 'apron.reviewer';

function readStoredReviewer(): string {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    // Storage can be disabled by browser policy; the name then lasts for this page only.
    return '';
  }
}

/** Return the stored name ('' when none) and a setter that stores a trimmed name. */
export function useReviewer(): [string, (name: string) => void] {
  const [reviewer, setReviewerState] = useState(readStoredReviewer);

  const setReviewer = useCallback((name: string) => {
    const trimmed = name.trim();
    setReviewerState(trimmed);
    try {
      window.localStorage.setItem(STORAGE_KEY, trimmed);
    } catch {
      // See readStoredReviewer: keep the name in memory only.
    }
  }, []);

  return [reviewer, setReviewer];
}
