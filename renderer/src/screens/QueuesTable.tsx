import type { QueueSummary } from '../../../src/api/contract.js';
import { QueueProgress } from '../components/QueueProgress.js';
import { formatCount, formatTimestamp } from '../format.js';
import { routeHash } from '../routes.js';

/** Lists the review queues of a dataset, each with its progress. */
export function QueuesTable({ queues }: { queues: QueueSummary[] }) {
  if (queues.length === 0) {
    return (
      <p className="muted">
        No review queues yet. Mine one from an embedding version with{' '}
        <code>npx apron mine --embedding &lt;version&gt;</code> (see <code>npx apron mine --help</code>).
      </p>
    );
  }

  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">Queue</th>
          <th scope="col">Kind</th>
          <th scope="col">Embedding version</th>
          <th scope="col" className="number">
            Pairs
          </th>
          <th scope="col">Progress</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {queues.map((queue) => (
          <tr key={queue.queueId}>
            <td>
              <a href={routeHash({ screen: 'queue', queueId: queue.queueId, page: 1 })} className="mono">
                {queue.queueId}
              </a>
            </td>
            <td>{queue.kind}</td>
            <td className="mono">{queue.embeddingVersionId}</td>
            <td className="number">{formatCount(queue.size)}</td>
            <td>
              <QueueProgress decided={queue.decided} total={queue.size} />
            </td>
            <td>{formatTimestamp(queue.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
