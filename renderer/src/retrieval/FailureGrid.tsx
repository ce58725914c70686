import { useState } from 'react';
import type { RetrievalFailure } from '../../../src/retrieval/api-types.js';
import { useApi } from '../api/api-context.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatCount, formatSimilarity } from '../format.js';
import type { RetrievalSettings } from './RetrievalScreen.js';
import { SampleThumbnail } from './SampleThumbnail.js';

/** Queries per page; each shows k + 1 thumbnails, each loaded with its own getSample call. */
const FAILURES_PAGE_SIZE = 10;

interface FailureGridProps {
  settings: RetrievalSettings;
  queryCondition: string;
  databaseCondition: string;
  reviewer: string;
  /** Called after a `same` decision, so that the matrix reloads with the corrected truth. */
  onDecided(): void;
}

/** Shows the queries of one matrix cell, worst first, with their results and the true match's rank. */
export function FailureGrid({ settings, queryCondition, databaseCondition, reviewer, onDecided }: FailureGridProps) {
  const [page, setPage] = useState(0);
  const [k, setK] = useState(5);
  const call = useApiCall('getRetrievalFailures', {
    ...settings,
    queryCondition,
    databaseCondition,
    k,
    offset: page * FAILURES_PAGE_SIZE,
    limit: FAILURES_PAGE_SIZE,
  });
  const result = call.state.value;
  const pageCount = Math.max(1, Math.ceil((result?.total ?? 0) / FAILURES_PAGE_SIZE));

  const reload = (): void => {
    call.reload();
    onDecided();
  };

  return (
    <section className="failure-grid" aria-label="Failure grid">
      <h2>
        Failures: {queryCondition} queries against the {databaseCondition} database
      </h2>
      <div className="toolbar">
        <label>
          Results per query (k){' '}
          <select value={k} onChange={(event) => setK(Number(event.target.value))}>
            {[1, 5, 10, 20].map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">Worst first: true match beyond k, then by its rank and the similarity it lost by.</span>
      </div>
      {reviewer === '' && <p className="reviewer-needed">Enter your reviewer name at the top right to mark results as the same place.</p>}
      {call.state.status === 'error' && <ErrorPanel title="Could not load the failures" error={call.state.error} />}
      {result === undefined && call.state.status === 'loading' && <p className="muted">Loading failures…</p>}
      {result !== undefined && (
        <>
          <nav className="pager" aria-label="Failure pages">
            {page > 0 && (
              <button type="button" className="link-button" onClick={() => setPage(page - 1)}>
                ← Previous page
              </button>
            )}
            <span>
              Page {page + 1} of {pageCount} ({formatCount(result.total)} queries with a true match)
            </span>
            {page + 1 < pageCount && (
              <button type="button" className="link-button" onClick={() => setPage(page + 1)}>
                Next page →
              </button>
            )}
          </nav>
          {result.failures.map((failure) => (
            <FailureRow
              key={failure.querySampleId}
              failure={failure}
              datasetId={settings.datasetId}
              reviewer={reviewer}
              onDecided={reload}
            />
          ))}
        </>
      )}
    </section>
  );
}

interface FailureRowProps {
  failure: RetrievalFailure;
  datasetId: string;
  reviewer: string;
  onDecided(): void;
}

function FailureRow({ failure, datasetId, reviewer, onDecided }: FailureRowProps) {
  const api = useApi();
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState<string | null>(null);
  const trueMatch = failure.trueMatch;

  const markSame = (sampleId: string): void => {
    setSaving(sampleId);
    setError(null);
    api.call('markRetrievedSame', { datasetId, sampleA: failure.querySampleId, sampleB: sampleId, reviewer }).then(
      () => {
        setSaving(null);
        onDecided();
      },
      (failed: unknown) => {
        setSaving(null);
        setError(failed);
      },
    );
  };

  return (
    <article className="failure-row" data-query={failure.querySampleId}>
      <div className="failure-query">
        <span className="failure-label">Query</span>
        <SampleThumbnail datasetId={datasetId} sampleId={failure.querySampleId} />
        {trueMatch !== null && (
          <p className="failure-truth">
            True match <span className="mono">{trueMatch.sampleId}</span>: {trueMatch.rank === null ? 'beyond k' : `rank ${trueMatch.rank}`},
            similarity {formatSimilarity(trueMatch.similarity)}
          </p>
        )}
      </div>
      <ol className="failure-results">
        {failure.results.map((result) => (
          <li key={result.sampleId} className={result.isTrueMatch ? 'failure-result true-match' : 'failure-result'}>
            <SampleThumbnail datasetId={datasetId} sampleId={result.sampleId} />
            <span>
              #{result.rank} · {formatSimilarity(result.similarity)}
              {result.isTrueMatch && <strong className="true-match-label"> true match</strong>}
            </span>
            {!result.isTrueMatch && (
              <button type="button" disabled={reviewer === '' || saving !== null} onClick={() => markSame(result.sampleId)}>
                {saving === result.sampleId ? 'Saving…' : 'Same place'}
              </button>
            )}
          </li>
        ))}
        {trueMatch !== null && trueMatch.rank === null && (
          <li className="failure-result true-match beyond-k">
            <SampleThumbnail datasetId={datasetId} sampleId={trueMatch.sampleId} />
            <span>
              beyond k · {formatSimilarity(trueMatch.similarity)}
              <strong className="true-match-label"> true match</strong>
            </span>
          </li>
        )}
      </ol>
      {error !== null && <ErrorPanel title={`Could not record the decision for ${failure.querySampleId}`} error={error} />}
    </article>
  );
}
