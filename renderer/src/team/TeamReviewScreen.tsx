import { useState } from 'react';
import type { Verdict } from '../../../src/api/contract.js';
import type { AdjudicationItemRecord, AgreementReport, AuditEntryRecord, ReviewEstimate } from '../../../src/api/contract-review.js';
import { useApi } from '../api/api-context.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatTimestamp } from '../format.js';
import { routeHash } from '../routes.js';

const AUDIT_PAGE_SIZE = 50;

/**
 * Shows the state of a team's review of one queue: how well reviewers agree, the disagreements and
 * conflicts an adjudicator settles, whether reviewing can stop, and the history of every change.
 */
export function TeamReviewScreen({ queueId, reviewer }: { queueId: string; reviewer: string }) {
  const queue = useApiCall('getQueueItems', { queueId, offset: 0, limit: 1 });
  const datasetId = queue.state.value?.queue.datasetId;

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> /{' '}
        {datasetId !== undefined && (
          <>
            <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> /{' '}
          </>
        )}
        <a href={routeHash({ screen: 'queue', queueId, page: 1 })}>Queue {queueId}</a> / <span>Team review</span>
      </nav>
      <h1>Team review</h1>
      {queue.state.status === 'error' && <ErrorPanel title={`Could not open queue ${queueId}`} error={queue.state.error} />}
      {/* Agreement and the disagreements to settle first; the per-slice estimate can be a long table. */}
      <AgreementPanel queueId={queueId} />
      <AdjudicationPanel queueId={queueId} datasetId={datasetId} reviewer={reviewer} />
      <EstimatePanel queueId={queueId} />
      {datasetId !== undefined && <AuditPanel queueId={queueId} datasetId={datasetId} />}
    </section>
  );
}

export function EstimatePanel({ queueId }: { queueId: string }) {
  const [limit, setLimit] = useState(1);
  const [window, setWindow] = useState(50);
  const call = useApiCall('getReviewEstimate', { queueId, maxExpectedRemaining: limit, window });
  const estimate = call.state.value;

  return (
    <section aria-label="When to stop">
      <h2>When to stop</h2>
      <div className="toolbar">
        <label>
          Stop below{' '}
          <input type="number" min={0} step={0.5} value={limit} onChange={(event) => setLimit(Math.max(0, Number(event.target.value)))} /> expected
          false negatives left
        </label>
        <label>
          or after <input type="number" min={0} value={window} onChange={(event) => setWindow(Math.max(0, Math.round(Number(event.target.value))))} />{' '}
          decisions without a <code>same</code>
        </label>
      </div>
      {call.state.status === 'error' && <ErrorPanel title="Could not estimate the false negatives left" error={call.state.error} />}
      {estimate !== undefined && <EstimateDetails estimate={estimate} />}
    </section>
  );
}

function EstimateDetails({ estimate }: { estimate: ReviewEstimate }) {
  const { stopping } = estimate;
  return (
    <>
      <p className={stopping.stop ? 'notice' : undefined} role="status">
        <strong>{stopping.stop ? 'You can stop.' : 'Keep reviewing.'}</strong> {stopping.reason}
      </p>
      <table className="data-table">
        <caption>Slices above similarity {estimate.threshold.toFixed(3)}</caption>
        <thead>
          <tr>
            <th scope="col">Slice</th>
            <th scope="col" className="number">
              Pairs
            </th>
            <th scope="col" className="number">
              Undecided
            </th>
            <th scope="col" className="number">
              Same found
            </th>
            <th scope="col" className="number">
              Expected left
            </th>
          </tr>
        </thead>
        <tbody>
          {estimate.slices.map((slice) => (
            <tr key={`${slice.field}=${slice.value}`}>
              <td>
                {slice.field} = <span className="mono">{slice.value}</span>
              </td>
              <td className="number">{slice.itemsAbove}</td>
              <td className="number">{slice.undecidedAbove}</td>
              <td className="number">{slice.foundAbove}</td>
              <td className="number">{slice.expectedRemaining === null ? '–' : slice.expectedRemaining.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function AgreementPanel({ queueId }: { queueId: string }) {
  const call = useApiCall('getAgreement', { queueId });
  const report = call.state.value;
  return (
    <section aria-label="Agreement">
      <h2>Agreement</h2>
      {call.state.status === 'error' && <ErrorPanel title="Could not compute the agreement" error={call.state.error} />}
      {report !== undefined && <AgreementDetails report={report} />}
    </section>
  );
}

function AgreementDetails({ report }: { report: AgreementReport }) {
  const kappa = (value: number | null): string => (value === null ? '–' : value.toFixed(3));
  return (
    <>
      <p>
        {report.reviewers.length} reviewer(s). Pairs decided by one reviewer: {report.pairs.single}; agreed: {report.pairs.agreed}; disagreed:{' '}
        {report.pairs.disagreed}; adjudicated: {report.pairs.adjudicated}. Mean pairwise Cohen's kappa {kappa(report.meanPairwiseKappa)}, Fleiss'
        kappa {kappa(report.fleissKappa)}.
      </p>
      {report.byReviewerPair.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Reviewers</th>
              <th scope="col" className="number">
                Pairs both decided
              </th>
              <th scope="col" className="number">
                Agreed
              </th>
              <th scope="col" className="number">
                Cohen's kappa
              </th>
            </tr>
          </thead>
          <tbody>
            {report.byReviewerPair.map((row) => (
              <tr key={`${row.reviewerA}|${row.reviewerB}`}>
                <td>
                  {row.reviewerA} and {row.reviewerB}
                </td>
                <td className="number">{row.pairs}</td>
                <td className="number">{row.agreed}</td>
                <td className="number">{kappa(row.kappa)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function AdjudicationPanel({ queueId, datasetId, reviewer }: { queueId: string; datasetId: string | undefined; reviewer: string }) {
  const api = useApi();
  const call = useApiCall('listAdjudication', { queueId });
  const [failure, setFailure] = useState<unknown>(null);
  const items = call.state.value?.items;

  const settle = async (item: AdjudicationItemRecord, verdict: Verdict): Promise<void> => {
    if (datasetId === undefined) return;
    setFailure(null);
    try {
      await api.call('adjudicate', { datasetId, sampleA: item.review.sampleA, sampleB: item.review.sampleB, verdict, adjudicator: reviewer, queueId });
      call.reload();
    } catch (error) {
      setFailure(error);
    }
  };

  return (
    <section aria-label="Adjudication">
      <h2>Adjudication</h2>
      <p className="muted">
        Pairs where reviewers disagree, and <code>different</code> decisions between samples that <code>same</code> decisions join. Until an
        adjudicator settles it, a disagreement that includes a <code>same</code> is masked as same.
      </p>
      {reviewer === '' && <p className="reviewer-needed">Enter your name at the top right to adjudicate.</p>}
      {failure !== null && <ErrorPanel title="The adjudication was not saved" error={failure} />}
      {call.state.status === 'error' && <ErrorPanel title="Could not list the disagreements" error={call.state.error} />}
      {items !== undefined && items.length === 0 && <p className="muted">Nothing to adjudicate.</p>}
      {items !== undefined && items.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Pair</th>
              <th scope="col">Verdicts</th>
              <th scope="col">Settle as</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={`${item.kind}:${item.review.sampleA}|${item.review.sampleB}`}>
                <td>{item.kind}</td>
                <td className="mono">
                  {datasetId === undefined ? (
                    `${item.review.sampleA} / ${item.review.sampleB}`
                  ) : (
                    <a href={routeHash({ screen: 'compare', datasetId, sampleA: item.review.sampleA, sampleB: item.review.sampleB })}>
                      {item.review.sampleA} / {item.review.sampleB}
                    </a>
                  )}
                  {item.path.length > 0 && <div className="muted">joined by same: {item.path.join(' → ')}</div>}
                </td>
                <td>
                  {item.review.verdicts.map((entry) => `${entry.reviewer}: ${entry.verdict}`).join(', ')}
                  {item.review.adjudication !== null && <div className="muted">settled: {item.review.adjudication.verdict}</div>}
                </td>
                <td>
                  {(['same', 'different', 'unsure'] as const).map((verdict) => (
                    <button key={verdict} type="button" disabled={reviewer === ''} onClick={() => void settle(item, verdict)}>
                      {verdict}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AuditPanel({ queueId, datasetId }: { queueId: string; datasetId: string }) {
  const [page, setPage] = useState(0);
  const call = useApiCall('listAuditLog', { datasetId, queueId, offset: page * AUDIT_PAGE_SIZE, limit: AUDIT_PAGE_SIZE });
  const log = call.state.value;
  const pages = Math.max(1, Math.ceil((log?.total ?? 0) / AUDIT_PAGE_SIZE));

  return (
    <section aria-label="History">
      <h2>History</h2>
      {call.state.status === 'error' && <ErrorPanel title="Could not read the audit log" error={call.state.error} />}
      {log !== undefined && (
        <>
          <nav className="pager" aria-label="History pages">
            <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
              ← Newer
            </button>
            <span>
              Page {page + 1} of {pages} ({log.total} changes, newest first; undo is a change too and nothing is erased)
            </span>
            <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
              Older →
            </button>
          </nav>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Pair</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {log.entries.map((entry) => (
                <AuditRow key={entry.auditId} entry={entry} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function AuditRow({ entry }: { entry: AuditEntryRecord }) {
  return (
    <tr>
      <td>{formatTimestamp(entry.changedAt)}</td>
      <td>
        {entry.actor}
        {entry.role === 'adjudicator' && <span className="tag"> adjudicator</span>}
      </td>
      <td>
        {entry.action}
        {entry.backfilled && <span className="muted"> (from before the log)</span>}
      </td>
      <td className="mono">
        {entry.sampleA} / {entry.sampleB}
      </td>
      <td>{entry.verdictBefore ?? '–'}</td>
      <td>{entry.verdictAfter ?? '–'}</td>
    </tr>
  );
}
