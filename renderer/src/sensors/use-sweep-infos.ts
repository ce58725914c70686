import { useCallback, useMemo, useRef, useState } from 'react';
import type { SweepInfo } from './sweep-info.js';

export interface SweepInfos {
  /** Info of each loaded sweep among the current tokens, by token. */
  byToken: Readonly<Record<string, SweepInfo>>;
  record(token: string, info: SweepInfo): void;
}

/** Collect what each loaded sweep contains, forgetting sweeps that are no longer shown. */
export function useSweepInfos(tokens: readonly string[]): SweepInfos {
  const [all, setAll] = useState<Record<string, SweepInfo>>({});
  const key = tokens.join('\n');
  const current = useRef(new Set(tokens));
  current.current = new Set(tokens);

  const record = useCallback((token: string, info: SweepInfo) => {
    setAll((previous) => {
      // Drop sweeps of earlier samples, so paging through a queue does not accumulate entries.
      const stillShown = Object.fromEntries(Object.entries(previous).filter(([known]) => current.current.has(known)));
      return { ...stillShown, [token]: info };
    });
  }, []);

  const byToken = useMemo(() => {
    const shownTokens = new Set(key.split('\n'));
    return Object.fromEntries(Object.entries(all).filter(([token]) => shownTokens.has(token)));
  }, [all, key]);
  return { byToken, record };
}
