import { useState } from 'react';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatCount } from '../format.js';
import { routeHash } from '../routes.js';
import { navigate } from '../use-hash-route.js';

/** Rows per page, as in the queue table. */
export const SAMPLES_PAGE_SIZE = 50;

interface SamplesScreenProps {
  datasetId: string;
  page: number;
  filter: string;
}

/** Lists every sample of a dataset, to open any one of them or to compare any two. */
export function SamplesScreen({ datasetId, page, filter }: SamplesScreenProps) {
  const offset = (page - 1) * SAMPLES_PAGE_SIZE;
  const call = useApiCall('listSamples', { datasetId, offset, limit: SAMPLES_PAGE_SIZE, filter });
  const [draft, setDraft] = useState(filter);
  // Samples ticked for comparison, kept across pages so that a pair can span two of them.
  const [picked, setPicked] = useState<string[]>([]);

  const toggle = (sampleId: string): void =>
    setPicked((current) => (current.includes(sampleId) ? current.filter((id) => id !== sampleId) : [...current, sampleId].slice(-2)));

  const result = call.state.value;
  const total = result?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / SAMPLES_PAGE_SIZE));
  const [first, second] = picked;

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> / <span>Samples</span>
      </nav>
      <h1>Samples</h1>

      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          navigate({ screen: 'samples', datasetId, page: 1, filter: draft.trim() });
        }}
      >
        <label>
          Sample or sequence id contains, or place or condition is{' '}
          <input type="search" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="for example 000123, stand-04 or fog" />
        </label>
        <button type="submit">Filter</button>
        <span className="muted">Tick two samples to compare them side by side.</span>
        {first !== undefined && second !== undefined ? (
          <a className="button primary" href={routeHash({ screen: 'compare', datasetId, sampleA: first, sampleB: second })}>
            Compare the two ticked samples
          </a>
        ) : (
          <button type="button" disabled>
            Compare ({picked.length} of 2 ticked)
          </button>
        )}
      </form>

      {call.state.status === 'error' && <ErrorPanel title={`Could not list the samples of ${datasetId}`} error={call.state.error} />}
      {result === undefined && call.state.status === 'loading' && <p className="muted">Loading samples…</p>}

      {result !== undefined && (
        <>
          <nav className="pager" aria-label="Pages">
            {page > 1 && <a href={routeHash({ screen: 'samples', datasetId, page: page - 1, filter })}>← Previous page</a>}
            <span>
              Page {page} of {pageCount} ({formatCount(total)} {total === 1 ? 'sample' : 'samples'}
              {filter === '' ? '' : ` matching “${filter}”`})
            </span>
            {page < pageCount && <a href={routeHash({ screen: 'samples', datasetId, page: page + 1, filter })}>Next page →</a>}
          </nav>
          {result.samples.length === 0 ? (
            <p className="muted">No sample matches.</p>
          ) : (
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Compare</th>
                  <th scope="col">Sample</th>
                  <th scope="col">Sequence</th>
                  <th scope="col">Place</th>
                  <th scope="col">Condition</th>
                  <th scope="col" className="number">
                    Cameras
                  </th>
                  <th scope="col" className="number">
                    LiDAR
                  </th>
                  <th scope="col" className="number">
                    BEV
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.samples.map((sample) => (
                  <tr key={sample.sampleId}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Tick ${sample.sampleId} for comparison`}
                        checked={picked.includes(sample.sampleId)}
                        onChange={() => toggle(sample.sampleId)}
                      />
                    </td>
                    <td className="mono">
                      <a href={routeHash({ screen: 'sample', datasetId, sampleId: sample.sampleId })}>{sample.sampleId}</a>
                    </td>
                    <td className="mono">{sample.sequenceId}</td>
                    <td className="mono">{sample.placeId ?? ''}</td>
                    <td>{sample.condition ?? ''}</td>
                    <td className="number">{sample.cameras}</td>
                    <td className="number">{sample.lidar}</td>
                    <td className="number">{sample.bev}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
