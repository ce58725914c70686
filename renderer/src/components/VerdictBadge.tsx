import type { DecisionRecord } from '../../../src/api/contract.js';

/** Shows a decision's verdict as a coloured badge, or "undecided". */
export function VerdictBadge({ decision }: { decision: DecisionRecord | null }) {
  if (decision === null) return <span className="verdict verdict-none">undecided</span>;
  return <span className={`verdict verdict-${decision.verdict}`}>{decision.verdict}</span>;
}
