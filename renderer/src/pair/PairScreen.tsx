import { lazy, Suspense, useRef, useState } from 'react';
import type { Verdict } from '../../../src/api/contract.js';
import { useApi } from '../api/api-context.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { QueueProgress } from '../components/QueueProgress.js';
import { routeHash, type ReviewOrder } from '../routes.js';
import { QUEUE_PAGE_SIZE } from '../screens/QueueScreen.js';
import { navigate } from '../use-hash-route.js';
import { DecisionBar } from './DecisionBar.js';
import { DecisionStatus } from './DecisionStatus.js';
import { EvidencePanel } from './EvidencePanel.js';
import { SamplePanel } from './SamplePanel.js';
import { hasSensorViews } from '../sensors/has-sensor-views.js';
import { SampleInspector } from '../sensors/SampleInspector.js';
import type { SweepInfo } from '../sensors/sweep-info.js';
import { useReviewActions } from './use-review-actions.js';
import { useReviewKeys } from './use-review-keys.js';
import type { Zoom } from './zoom.js';

// three.js is about 600 kB, so it loads only when a pair with sensor data first shows.
const PairModalities = lazy(async () => ({ default: (await import('../sensors/PairModalities.js')).PairModalities }));

/** Element id of the reviewer name field in the header, focused when a decision needs a name. */
export const REVIEWER_INPUT_ID = 'reviewer-name-input';

interface PairScreenProps {
  queueId: string;
  position: number;
  /** Order that picks the next pair: the following position, or the top undecided pair of the active order. */
  order: ReviewOrder;
  reviewer: string;
}

/** Shows one pair of a queue for a decision from the keyboard, and moves on to the next pair after each decision. */
export function PairScreen({ queueId, position, order, reviewer }: PairScreenProps) {
  const api = useApi();
  const pairCall = useApiCall('getPair', { queueId, position });
  const progress = useApiCall('getQueueItems', { queueId, offset: 0, limit: 1 });
  const actions = useReviewActions(queueId, reviewer);
  const [note, setNote] = useState('');
  const [zoom, setZoom] = useState<Zoom>('auto');
  const [reviewerMissing, setReviewerMissing] = useState(false);
  // Point counts and fields of the sweeps drawn so far, by token, for the inspector.
  const [sweeps, setSweeps] = useState<Record<string, SweepInfo>>({});
  // The position where a verdict key arrived before the pair had loaded; the hint hides once it has.
  const [earlyKeyPosition, setEarlyKeyPosition] = useState<number | null>(null);

  // Where the user is now, read after an await: they may have moved on while a call ran.
  const currentPosition = useRef(position);
  currentPosition.current = position;

  const pair = pairCall.state.value;
  const pairIsCurrent = pairCall.state.status === 'ok' && pair?.item.position === position;
  const total = pair?.total ?? progress.state.value?.total ?? 0;
  const goTo = (target: number): void => navigate({ screen: 'pair', queueId, position: target, order }, { replace: true });

  /**
   * Returns the position of the top undecided pair of the active order other than `current`, or
   * null when no other pair is undecided. The server ranks again after every decision.
   */
  const nextActivePosition = async (current: number): Promise<number | null> => {
    const page = await api.call('getQueueItems', { queueId, offset: 0, limit: 2, order: 'active' });
    return page.items.find((item) => item.decision === null && item.position !== current)?.position ?? null;
  };

  const goToNextActive = async (current: number, whenNone: string): Promise<void> => {
    try {
      const next = await nextActivePosition(current);
      if (currentPosition.current !== current) return;
      if (next === null) actions.setNotice(whenNone);
      else goTo(next);
    } catch (error) {
      actions.setNotice(`Could not find the next pair in active order: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const goToNext = (): void => {
    if (order === 'active') void goToNextActive(position, 'Every other pair of this queue is decided.');
    else if (position + 1 < total) goTo(position + 1);
  };

  const requireReviewer = (): boolean => {
    if (reviewer !== '') return true;
    setReviewerMissing(true);
    document.getElementById(REVIEWER_INPUT_ID)?.focus();
    return false;
  };

  const decide = async (verdict: Verdict): Promise<void> => {
    if (!requireReviewer()) return;
    // Deciding on the previous pair while the next one loads would record the wrong pair.
    if (!pairIsCurrent || pair === undefined) {
      setEarlyKeyPosition(position);
      return;
    }
    const item = pair.item;
    const record = await actions.decide(item, verdict, note);
    if (record === null) return;

    pairCall.update((view) => (view.item.queueItemId === item.queueItemId ? { ...view, item: { ...view.item, decision: record } } : view));
    setNote('');
    progress.reload();
    if (currentPosition.current !== item.position) return;
    if (order === 'active') await goToNextActive(item.position, `Saved “${verdict}” for pair ${item.position + 1}. Every pair of this queue is decided.`);
    else if (item.position + 1 < pair.total) goTo(item.position + 1);
    else actions.setNotice(`Saved “${verdict}” for pair ${item.position + 1}, the last pair of this queue.`);
  };

  const undo = async (): Promise<void> => {
    if (!requireReviewer()) return;
    const outcome = await actions.undo(currentPosition.current);
    if (outcome === null) return;
    progress.reload();
    if (outcome.position !== undefined && outcome.position !== currentPosition.current) goTo(outcome.position);
    else pairCall.reload();
  };

  // From a position past the end (an edited URL, a queue mined again smaller), back goes to the last pair.
  const goToPrevious = (): void => {
    if (position > 0) goTo(total > 0 ? Math.min(position - 1, total - 1) : position - 1);
  };

  useReviewKeys({
    onVerdict: (verdict) => void decide(verdict),
    onUndo: () => void undo(),
    onNext: goToNext,
    onPrevious: goToPrevious,
  });

  const queue = progress.state.value?.queue;
  const pending = actions.pending;
  const saving = pending?.kind === 'decide' && pending.queueItemId === pair?.item.queueItemId ? pending.verdict : null;
  const failure = actions.failure;
  const failureHere = failure !== null && (failure.kind === 'undo' || failure.queueItemId === pair?.item.queueItemId);

  return (
    <section className="pair-screen">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> /{' '}
        {queue !== undefined && (
          <>
            <a href={routeHash({ screen: 'dataset', datasetId: queue.datasetId })}>{queue.datasetId}</a> /{' '}
          </>
        )}
        <a href={routeHash({ screen: 'queue', queueId, page: order === 'active' ? 1 : Math.floor(position / QUEUE_PAGE_SIZE) + 1, order })}>Queue {queueId}</a> /{' '}
        <span>Pair {position + 1}</span>
      </nav>

      <div className="pair-toolbar">
        <div className="pair-nav">
          <button type="button" aria-label="Previous pair" aria-keyshortcuts="ArrowLeft" disabled={position === 0} onClick={goToPrevious}>
            ← Previous
          </button>
          <strong>
            Pair {position + 1} of {total}
          </strong>
          <button
            type="button"
            aria-label="Next pair"
            aria-keyshortcuts="ArrowRight"
            disabled={order === 'similarity' && position + 1 >= total}
            onClick={goToNext}
          >
            {order === 'active' ? 'Next likely false negative →' : 'Next →'}
          </button>
        </div>
        {queue !== undefined && <QueueProgress decided={queue.decided} total={queue.size} />}
      </div>

      {reviewer === '' && (
        <p className={reviewerMissing ? 'reviewer-needed alert' : 'reviewer-needed'} role={reviewerMissing ? 'alert' : undefined}>
          Enter your reviewer name at the top right before deciding: every decision records who made it.
        </p>
      )}

      {pairCall.state.status === 'error' && (
        <ErrorPanel title={`Could not load pair ${position + 1} of queue ${queueId}`} error={pairCall.state.error} />
      )}
      {pair === undefined && pairCall.state.status === 'loading' && <p className="muted">Loading pair…</p>}

      {pair !== undefined && (
        <div className={pairIsCurrent ? 'pair-body' : 'pair-body stale'} aria-busy={!pairIsCurrent}>
          <DecisionBar
            current={pair.item.decision?.verdict ?? null}
            note={note}
            zoom={zoom}
            onVerdict={(verdict) => void decide(verdict)}
            onUndo={() => void undo()}
            onNoteChange={setNote}
            onZoomChange={setZoom}
          />
          <div className="decision-line">
            <DecisionStatus decision={pair.item.decision} saving={saving} />
            {pending?.kind === 'undo' && <span className="saving">undoing…</span>}
            {actions.notice !== null && <span className="notice">{actions.notice}</span>}
            {earlyKeyPosition === position && !pairIsCurrent && (
              <span className="notice">Pair {position + 1} is still loading. Press the key again when it shows.</span>
            )}
          </div>
          {failureHere && (
            <ErrorPanel title={failure.kind === 'decide' ? 'The decision was not saved' : 'Undo failed'} error={failure.error} />
          )}

          {hasSensorViews(pair.sampleA) || hasSensorViews(pair.sampleB) ? (
            <Suspense fallback={<p className="muted">Loading the sensor views…</p>}>
              {/* Not keyed by position: the next pair reuses the WebGL renderers instead of creating new ones. */}
              <PairModalities
                sampleA={pair.sampleA}
                sampleB={pair.sampleB}
                onSweepLoaded={(token, info) => setSweeps((known) => ({ ...known, [token]: info }))}
              />
            </Suspense>
          ) : (
            <div className="pair-samples">
              <SamplePanel label="A" sample={pair.sampleA} zoom={zoom} />
              <SamplePanel label="B" sample={pair.sampleB} zoom={zoom} />
            </div>
          )}
          <div className="pair-details">
            <EvidencePanel evidence={pair.item.evidence} />
            <SampleInspector sample={pair.sampleA} other={pair.sampleB} sweeps={sweeps} />
          </div>
        </div>
      )}
    </section>
  );
}
