import type { MovedPair } from '../../../src/api/contract-versions.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { routeHash } from '../routes.js';

/** Rows shown per list: the largest moves come first, and the rest rarely change a reviewer's view. */
const SHOWN = 100;

interface VersionShiftProps {
  datasetId: string;
  from: string;
  to: string;
}

/** Shows how a new embedding version moved the decided pairs, and which suspects left or entered the queue. */
export function VersionShiftScreen({ datasetId, from, to }: VersionShiftProps) {
  const call = useApiCall('compareEmbeddingVersions', { datasetId, from, to });
  const shift = call.state.value;
  const change = (value: number | null): string => (value === null ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(3)}`);

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> / <span>Embedding versions</span>
      </nav>
      <h1>
        From <span className="mono">{from}</span> to <span className="mono">{to}</span>
      </h1>
      {call.state.status === 'error' && <ErrorPanel title="Could not compare the embedding versions" error={call.state.error} />}
      {shift === undefined && call.state.status === 'loading' && <p className="muted">Comparing…</p>}
      {shift !== undefined && (
        <>
          <p>
            Mean change in similarity of the pairs decided <code>same</code>: <strong>{change(shift.meanChange.same)}</strong> (should rise); of
            the pairs decided <code>different</code>: <strong>{change(shift.meanChange.different)}</strong> (should fall).
            {shift.skipped > 0 && ` ${shift.skipped} decided pair(s) have a sample missing from one version and are left out.`}
          </p>
          <MovedPairs datasetId={datasetId} pairs={shift.pairs} />

          <h2>Review queue</h2>
          {shift.queues.from === null || shift.queues.to === null ? (
            <p className="muted">
              Mine a queue from both versions (<code>npx apron mine --embedding VERSION</code>) to see which suspects left or entered it. A
              version imported with <code>npx apron import-embeddings</code> also needs the mask rules and positives it was trained with
              (<code>--positives</code>, <code>--mask-time-window</code>; see <code>npx apron mine --help</code>).
            </p>
          ) : (
            <div className="table-grid">
              <PairList datasetId={datasetId} caption={`No longer suspected (${shift.queues.left.length})`} pairs={shift.queues.left} />
              <PairList datasetId={datasetId} caption={`Newly suspected (${shift.queues.entered.length})`} pairs={shift.queues.entered} />
            </div>
          )}
        </>
      )}
    </section>
  );
}

function MovedPairs({ datasetId, pairs }: { datasetId: string; pairs: MovedPair[] }) {
  if (pairs.length === 0) return <p className="muted">No decided pair yet.</p>;
  return (
    <table className="data-table">
      <caption>Decided pairs, largest move first{pairs.length > SHOWN ? ` (first ${SHOWN} of ${pairs.length})` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Pair</th>
          <th scope="col">Decision</th>
          <th scope="col" className="number">
            Before
          </th>
          <th scope="col" className="number">
            After
          </th>
          <th scope="col" className="number">
            Change
          </th>
        </tr>
      </thead>
      <tbody>
        {pairs.slice(0, SHOWN).map((pair) => {
          const delta = pair.after - pair.before;
          // A same pair drifting apart, or a different pair drawing together, is a move the wrong way.
          const wrongWay = pair.verdict === 'same' ? delta < 0 : delta > 0;
          return (
            <tr key={`${pair.sampleA}|${pair.sampleB}`} className={wrongWay ? 'differs' : undefined}>
              <td className="mono">
                <a href={routeHash({ screen: 'compare', datasetId, sampleA: pair.sampleA, sampleB: pair.sampleB })}>
                  {pair.sampleA} / {pair.sampleB}
                </a>
              </td>
              <td>{pair.verdict}</td>
              <td className="number">{pair.before.toFixed(3)}</td>
              <td className="number">{pair.after.toFixed(3)}</td>
              <td className="number">
                {delta >= 0 ? '+' : ''}
                {delta.toFixed(3)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function PairList({ datasetId, caption, pairs }: { datasetId: string; caption: string; pairs: Array<{ sampleA: string; sampleB: string }> }) {
  return (
    <table className="data-table">
      <caption>{caption}</caption>
      <tbody>
        {pairs.slice(0, SHOWN).map((pair) => (
          <tr key={`${pair.sampleA}|${pair.sampleB}`}>
            <td className="mono">
              <a href={routeHash({ screen: 'compare', datasetId, sampleA: pair.sampleA, sampleB: pair.sampleB })}>
                {pair.sampleA} / {pair.sampleB}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
