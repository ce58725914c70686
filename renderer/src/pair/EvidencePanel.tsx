import type { Evidence } from '../../../src/api/contract.js';
import { formatDegrees, formatDuration, formatMetres, formatSimilarity } from '../format.js';

/** Shows why the pair is in the queue. */
export function EvidencePanel({ evidence }: { evidence: Evidence }) {
  return (
    <section className="evidence" aria-label="Evidence">
      <h2>Evidence</h2>
      <dl className="facts">
        <dt>Similarity</dt>
        <dd>{formatSimilarity(evidence.similarity)}</dd>
        <dt>Rank</dt>
        <dd title="Rank of B among A's negatives, 1 being the most similar">{evidence.rank}</dd>
        <dt>Time gap</dt>
        <dd>
          {formatDuration(evidence.timeGapSeconds)}
          {evidence.sameSequence ? ' (same sequence)' : ' (different sequences)'}
        </dd>
        <dt>Distance</dt>
        <dd>{formatMetres(evidence.distanceMetres)}</dd>
        <dt>Heading difference</dt>
        <dd>{formatDegrees(evidence.headingDifferenceDegrees)}</dd>
      </dl>
    </section>
  );
}
