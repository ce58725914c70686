import type { EmbeddingSearchSummary, QueueItem } from '../../../src/api/contract.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { QueueProgress } from '../components/QueueProgress.js';
import { VerdictBadge } from '../components/VerdictBadge.js';
import { formatCount, formatDegrees, formatDuration, formatMetres, formatSimilarity } from '../format.js';
import { routeHash, type ReviewOrder } from '../routes.js';
import { EstimatePanel } from '../team/TeamReviewScreen.js';

/** Rows per page; a page of 50 fits a laptop screen twice over and loads in one short query. */
export const QUEUE_PAGE_SIZE = 50;

export function QueueScreen({ queueId, page, order }: { queueId: string; page: number; order: ReviewOrder }) {
  const offset = (page - 1) * QUEUE_PAGE_SIZE;
  const { state } = useApiCall('getQueueItems', { queueId, offset, limit: QUEUE_PAGE_SIZE, order });

  if (state.status === 'error') return <ErrorPanel title={`Could not open queue ${queueId}`} error={state.error} />;
  const result = state.value;
  if (result === undefined) return <p className="muted">Loading queue…</p>;

  const { queue, items, total } = result;
  const pageCount = Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE));
  const firstUndecided = items.find((item) => item.decision === null);
  const startPosition = firstUndecided?.position ?? items[0]?.position ?? 0;
  // In active order the API sends each row's estimated P(same), in row order.
  const estimates = order === 'active' ? result.estimates : undefined;

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
          <a className="button primary" href={routeHash({ screen: 'pair', queueId, position: startPosition, order })}>
            {firstUndecided === undefined ? 'Review from the start of this page' : `Review from pair ${startPosition + 1}`}
          </a>
        )}
        <a className="button" href={routeHash({ screen: 'team', queueId })}>
          Team review: agreement, adjudication, history
        </a>
      </div>
      <OrderSwitch queueId={queueId} order={order} />
      <p className="muted">
        Embedding version <span className="mono">{queue.embeddingVersionId}</span>
        {queue.search !== undefined && `, mined with ${describeQueueSearch(queue.search)}`}.{' '}
        {order === 'active'
          ? 'Undecided pairs come first, the pair most likely to be a false negative at the top: P(same) is calibrated on the decisions so far and adjusted per sequence. Decided pairs follow in queue order.'
          : 'Pairs are ordered by similarity: the pairs the encoder finds most alike come first.'}
      </p>

      {order === 'active' && <EstimatePanel queueId={queueId} />}

      <QueueItemsTable queueId={queueId} items={items} order={order} estimates={estimates} />

      <nav className="pager" aria-label="Pages">
        {page > 1 && <a href={routeHash({ screen: 'queue', queueId, page: page - 1, order })}>← Previous page</a>}
        <span>
          Page {page} of {pageCount} ({total} pairs)
        </span>
        {page < pageCount && <a href={routeHash({ screen: 'queue', queueId, page: page + 1, order })}>Next page →</a>}
      </nav>
    </section>
  );
}

/** Links that switch the queue's order. The order lives in the URL hash, so a reload or a shared link keeps it. */
function OrderSwitch({ queueId, order }: { queueId: string; order: ReviewOrder }) {
  const options: Array<{ value: ReviewOrder; label: string }> = [
    { value: 'similarity', label: 'By similarity' },
    { value: 'active', label: 'Most likely false negatives first' },
  ];
  return (
    <nav className="toolbar order-switch" aria-label="Queue order">
      {options.map((option) => (
        <a
          key={option.value}
          className={option.value === order ? 'button primary' : 'button'}
          aria-current={option.value === order ? 'true' : undefined}
          href={routeHash({ screen: 'queue', queueId, page: 1, order: option.value })}
        >
          {option.label}
        </a>
      ))}
    </nav>
  );
}

interface QueueItemsTableProps {
  queueId: string;
  items: QueueItem[];
  order: ReviewOrder;
  estimates: Array<number | null> | undefined;
}

function QueueItemsTable({ queueId, items, order, estimates }: QueueItemsTableProps) {
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
          {estimates !== undefined && (
            <th scope="col" className="number">
              P(same), estimated
            </th>
          )}
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
        {items.map((item, row) => (
          <tr key={item.queueItemId} data-position={item.position}>
            <td className="number">
              <a href={routeHash({ screen: 'pair', queueId, position: item.position, order })}>{item.position + 1}</a>
            </td>
            <td className="mono">{item.sampleA}</td>
            <td className="mono">{item.sampleB}</td>
            <td className="number">{formatSimilarity(item.evidence.similarity)}</td>
            {estimates !== undefined && <td className="number estimate">{formatEstimate(estimates[row])}</td>}
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

/** Formats an estimated P(same), or a dash before the queue has a decision to calibrate on. */
function formatEstimate(probability: number | null | undefined): string {
  return probability === null || probability === undefined ? '–' : probability.toFixed(2);
}

/** Describes the search a queue was mined with, as its stored parameters record it. */
function describeQueueSearch(search: EmbeddingSearchSummary): string {
  if (search.kind === 'exact') return `exact search over ${formatCount(search.rows)} rows`;
  if (search.recallAt10 === undefined) return 'approximate search (HNSW)';
  return `approximate search (HNSW), recall@10 ${search.recallAt10.toFixed(3)} on ${formatCount(search.recallQueries ?? 0)} queries`;
}
