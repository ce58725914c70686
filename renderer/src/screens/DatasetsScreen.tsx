import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatCount, formatTimestamp, MISSING } from '../format.js';
import { routeHash } from '../routes.js';
import { NoDatasets } from './NoDatasets.js';

export function DatasetsScreen() {
  const { state } = useApiCall('listDatasets', {});

  if (state.status === 'error') return <ErrorPanel title="Could not list the datasets" error={state.error} />;
  if (state.value === undefined) return <p className="muted">Loading datasets…</p>;
  if (state.value.length === 0) return <NoDatasets />;

  return (
    <section>
      <h1>Datasets</h1>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Importer</th>
            <th scope="col" className="number">
              Samples
            </th>
            <th scope="col">Added</th>
          </tr>
        </thead>
        <tbody>
          {state.value.map((dataset) => (
            <tr key={dataset.datasetId}>
              <td>
                <a href={routeHash({ screen: 'dataset', datasetId: dataset.datasetId })}>{dataset.name}</a>
              </td>
              <td className="mono">{dataset.datasetId}</td>
              <td>{dataset.importer ?? MISSING}</td>
              <td className="number">{formatCount(dataset.sampleCount)}</td>
              <td>{formatTimestamp(dataset.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
