import type { QueueItem } from '../../../src/api/contract.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { QueueProgress } from '../components/QueueProgress.js';
import { VerdictBadge } from '../components/VerdictBadge.js';
import { formatDegrees, formatDuration, formatMetres, formatSimilarity } from '../format.js';
import { routeHash } from '../routes.js';

/** Rows per page; a page of 50 fits a laptop screen twice over and loads in one short query. */
export const QUEUE_PAGE_SIZE = 50;

export function QueueScreen({ queueId, page }: { queueId: string; page: number }) {
  const offset = (page - 1) * QUEUE_PAGE_SIZE;
  const { state } = useApiCall('getQueueItems', { queueId, offset, limit: QUEUE_PAGE_SIZE });

  if (state.status === 'error') return <ErrorPanel title={`Could not open queue ${queueId}`} error={state.error} />;
  const result = state.value;
  if (result === undefined) return <p className="muted">Loading queue…</p>;

  const { queue, items, total } = result;
  const pageCount = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
  const firstUndecided = items.find((item) => item.decision === null);
  const startPosition = firstUndecided?.position ?? items[0]?.position ?? 0;

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId: queue.datasetId })}>{queue.datasetId}</a> /{' '}
        <span>Queue {queue.queueId}</span>
      </nav>
      <h1>Suspected false negatives</h1>
      <div className="toolbar">
        <QueueProgress decided={queue.decided} total={queue.size} />
        {total > 0 && (
          <a className="button primary" href={routeHash({ screen: 'pair', queueId, position: startPosition })}>
            {firstUndecided === undefined ? 'Review from the start of this page' : `Review from pair ${startPosition + 1}`}
          </a>
        )}
        <a className="button" href={routeHash({ screen: 'team', queueId })}>
          Team review: agreement, adjudication, history
        </a>
      </div>
      <p className="muted">
        Embedding version <span className="mono">{queue.embeddingVersionId}</span>. Pairs are ordered by similarity: the
        pairs the encoder finds most alike come first.
      </p>

      <QueueItemsTable queueId={queueId} items={items} />

      <nav className="pager" aria-label="Pages">
        {page > 1 && <a href={routeHash({ screen: 'queue', queueId, page: page - 1 })}>← Previous page</a>}
        <span>
          Page {page} of {pageCount} ({total} pairs)
        </span>
        {page < pageCount && <a href={routeHash({ screen: 'queue', queueId, page: page + 1 })}>Next page →</a>}
      </nav>
    </section>
  );
}

function QueueItemsTable({ queueId, items }: { queueId: string; items: QueueItem[] }) {
  return (
    <table className="data-table queue-table">
      <thead>
        <tr>
          <th scope="col" className="number">
            #
          </th>
          <th scope="col">Sample A</th>
          <th scope="col">Sample B</th>
          <th scope="col" className="number">
            Similarity
          </th>
          <th scope="col" className="number">
            Rank
          </th>
          <th scope="col" className="number">
            Time gap
          </th>
          <th scope="col" className="number">
            Distance
          </th>
          <th scope="col" className="number">
            Heading diff.
          </th>
          <th scope="col">Decision</th>
          <th scope="col">Reviewer</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.queueItemId} data-position={item.position}>
            <td className="number">
              <a href={routeHash({ screen: 'pair', queueId, position: item.position })}>{item.position + 1}</a>
            </td>
            <td className="mono">{item.sampleA}</td>
            <td className="mono">{item.sampleB}</td>
            <td className="number">{formatSimilarity(item.evidence.similarity)}</td>
            <td className="number">{item.evidence.rank}</td>
            <td className="number">
              {formatDuration(item.evidence.timeGapSeconds)}
              {item.evidence.sameSequence && <span className="tag">same seq.</span>}
            </td>
            <td className="number">{formatMetres(item.evidence.distanceMetres)}</td>
            <td className="number">{formatDegrees(item.evidence.headingDifferenceDegrees)}</td>
            <td>
              <VerdictBadge decision={item.decision} />
            </td>
            <td>{item.decision?.reviewer ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
