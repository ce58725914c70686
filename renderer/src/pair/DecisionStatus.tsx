import type { DecisionRecord } from '../../../src/api/contract.js';
import { VerdictBadge } from '../components/VerdictBadge.js';
import { formatTimestamp } from '../format.js';

/** Shows the decision on the shown pair: "saving…" while the call is in flight, then the stored one. */
export function DecisionStatus({ decision, saving }: { decision: DecisionRecord | null; saving: string | null }) {
  return (
    <div className="decision-status" role="status" aria-label="Current decision" data-testid="decision-status">
      {saving !== null ? (
        <span className="saving">saving… ({saving})</span>
      ) : (
        <>
          <VerdictBadge decision={decision} />
          {decision !== null && (
            <span className="decision-detail">
              saved by {decision.reviewer}, {formatTimestamp(decision.decidedAt)}
              {decision.note !== null && decision.note !== '' && <> · note: {decision.note}</>}
            </span>
          )}
        </>
      )}
    </div>
  );
}
