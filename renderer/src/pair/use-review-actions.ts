/**
 * Decide and undo for the pair view. A decision counts as saved only when `decide` has returned,
 * because the engine returns after SQLite has committed it to disk. Until then it is pending.
 */
import { useCallback, useRef, useState } from 'react';
import type { DecisionRecord, QueueItem, Verdict } from '../../../src/api/contract.js';
import { useApi } from '../api/api-context.js';

/** Half the stretch of queue positions searched for an undone item this screen did not decide. */
const UNDO_SEARCH_RADIUS = 500;

export type PendingAction = { kind: 'decide'; queueItemId: number; verdict: Verdict } | { kind: 'undo' };

export interface ActionFailure {
  kind: 'decide' | 'undo';
  /** The item a failed decision was for; null for undo. */
  queueItemId: number | null;
  error: unknown;
}

export interface UndoOutcome {
  undone: DecisionRecord;
  /** Queue position of the undone item, or undefined when it was not found near the reviewer's place. */
  position: number | undefined;
}

export interface ReviewActions {
  pending: PendingAction | null;
  failure: ActionFailure | null;
  notice: string | null;
  setNotice(notice: string | null): void;
  /** Record a decision; returns the stored record, or null when it failed or another action was running. */
  decide(item: QueueItem, verdict: Verdict, note: string): Promise<DecisionRecord | null>;
  /** Undo this reviewer's latest decision in the queue; null when there was none or it failed. */
  undo(nearPosition: number): Promise<UndoOutcome | null>;
}

export function useReviewActions(queueId: string, reviewer: string): ReviewActions {
  const api = useApi();
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // State updates land after a render; a second key press in the same frame must see the first.
  const busy = useRef(false);
  const positionsDecided = useRef(new Map<number, number>());

  const decide = useCallback(
    async (item: QueueItem, verdict: Verdict, note: string): Promise<DecisionRecord | null> => {
      if (busy.current) return null;
      busy.current = true;
      setPending({ kind: 'decide', queueItemId: item.queueItemId, verdict });
      setFailure(null);
      try {
        const trimmed = note.trim();
        const record = await api.call('decide', {
          queueItemId: item.queueItemId,
          verdict,
          reviewer,
          ...(trimmed === '' ? {} : { note: trimmed }),
        });
        positionsDecided.current.set(item.queueItemId, item.position);
        setNotice(`Saved “${verdict}” for pair ${item.position + 1}.`);
        return record;
      } catch (error) {
        setFailure({ kind: 'decide', queueItemId: item.queueItemId, error });
        return null;
      } finally {
        busy.current = false;
        setPending(null);
      }
    },
    [api, reviewer],
  );

  /**
   * The queue position of an undone item: known when this screen decided it, else looked up in
   * the stretch of the queue around the reviewer's place, where a recent decision almost always is.
   */
  const findPosition = useCallback(
    async (queueItemId: number | null, nearPosition: number): Promise<number | undefined> => {
      if (queueItemId === null) return undefined;
      const known = positionsDecided.current.get(queueItemId);
      if (known !== undefined) return known;
      const offset = Math.max(0, nearPosition - UNDO_SEARCH_RADIUS);
      try {
        const page = await api.call('getQueueItems', { queueId, offset, limit: 2 * UNDO_SEARCH_RADIUS });
        return page.items.find((item) => item.queueItemId === queueItemId)?.position;
      } catch {
        // The undo itself succeeded and is reported; without the position the view stays where it is.
        return undefined;
      }
    },
    [api, queueId],
  );

  const undo = useCallback(async (nearPosition: number): Promise<UndoOutcome | null> => {
    if (busy.current) return null;
    busy.current = true;
    setPending({ kind: 'undo' });
    setFailure(null);
    try {
      const { undone } = await api.call('undo', { queueId, reviewer });
      if (undone === null) {
        setNotice(`Nothing to undo: ${reviewer} has no decision in this queue.`);
        return null;
      }
      setNotice(`Undid “${undone.verdict}” on ${undone.sampleA} ↔ ${undone.sampleB}.`);
      return { undone, position: await findPosition(undone.queueItemId, nearPosition) };
    } catch (error) {
      setFailure({ kind: 'undo', queueItemId: null, error });
      return null;
    } finally {
      busy.current = false;
      setPending(null);
    }
  }, [api, queueId, reviewer, findPosition]);

  return { pending, failure, notice, setNotice, decide, undo };
}
