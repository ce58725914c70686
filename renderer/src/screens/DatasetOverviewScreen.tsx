import type { DatasetOverview, EmbeddingSearchSummary } from '../../../src/api/contract.js';
import { useApiCall } from '../api/use-api-call.js';
import { CountTable } from '../components/CountTable.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatCount, formatTimestamp, MISSING } from '../format.js';
import { routeHash } from '../routes.js';
import { QueuesTable } from './QueuesTable.js';

export function DatasetOverviewScreen({ datasetId }: { datasetId: string }) {
  const overview = useApiCall('getDatasetOverview', { datasetId });
  const queues = useApiCall('listQueues', { datasetId });

  if (overview.state.status === 'error') {
    return <ErrorPanel title={`Could not open dataset ${datasetId}`} error={overview.state.error} />;
  }
  const dataset = overview.state.value;
  if (dataset === undefined) return <p className="muted">Loading dataset…</p>;

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <span>{dataset.name}</span>
      </nav>
      <h1>{dataset.name}</h1>
      <DatasetFacts dataset={dataset} />

      <h2>Review queues</h2>
      {queues.state.status === 'error' && <ErrorPanel title="Could not list the queues" error={queues.state.error} />}
      {queues.state.value !== undefined && <QueuesTable queues={queues.state.value} />}

      <h2>Samples</h2>
      <p>
        <a className="button" href={routeHash({ screen: 'samples', datasetId, page: 1, filter: '' })}>
          Browse the samples
        </a>{' '}
        <span className="muted">Open any sample in every modality, or compare any two side by side.</span>
      </p>
      <div className="table-grid">
        <CountTable caption="Sequences" entries={dataset.sequences} />
        {Object.entries(dataset.conditions).map(([field, entries]) => (
          <CountTable key={field} caption={`Condition: ${field}`} entries={entries} />
        ))}
        <CountTable caption="Modalities" entries={dataset.modalities} />
      </div>

      <h2>Retrieval</h2>
      <p>
        <a className="button" href={routeHash({ screen: 'retrieval', datasetId })}>
          Recall across conditions
        </a>{' '}
        <a className="button" href={routeHash({ screen: 'hard-negatives', datasetId })}>
          Hard negatives
        </a>{' '}
        <span className="muted">Same-place recall for each pair of conditions, with its failures, and near pairs of different places or classes.</span>
      </p>

      <h2>Training runs</h2>
      <p>
        <a className="button" href={routeHash({ screen: 'runs', datasetId })}>
          Show the training runs
        </a>{' '}
        <a className="button" href={routeHash({ screen: 'train', datasetId, runId: null })}>
          Train a model
        </a>{' '}
        <span className="muted">Configuration, monitors and collapse warnings of every run; compare two.</span>
      </p>

      <h2>Embedding versions</h2>
      <EmbeddingVersions dataset={dataset} />
    </section>
  );
}

function DatasetFacts({ dataset }: { dataset: DatasetOverview }) {
  return (
    <dl className="facts">
      <dt>Id</dt>
      <dd className="mono">{dataset.datasetId}</dd>
      <dt>Samples</dt>
      <dd>{formatCount(dataset.sampleCount)}</dd>
      <dt>With pose</dt>
      <dd>{formatCount(dataset.withPose)}</dd>
      <dt>With place id</dt>
      <dd>{formatCount(dataset.withPlaceId)}</dd>
      <dt>Importer</dt>
      <dd>{dataset.importer ?? MISSING}</dd>
      <dt>Added</dt>
      <dd>{formatTimestamp(dataset.createdAt)}</dd>
      <dt>Manifest</dt>
      <dd className="mono">{dataset.manifestPath}</dd>
      <dt>Data root</dt>
      <dd className="mono">{dataset.root}</dd>
    </dl>
  );
}

function EmbeddingVersions({ dataset }: { dataset: DatasetOverview }) {
  if (dataset.embeddingVersions.length === 0) {
    return (
      <p className="muted">
        None yet: train an encoder and embed the samples (<code>npx apron train</code>, then <code>npx apron embed</code>).
      </p>
    );
  }
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Training run</th>
          <th scope="col" className="number">
            Dimension
          </th>
          <th scope="col" className="number">
            Vectors
          </th>
          <th scope="col">Created</th>
          <th scope="col">Search</th>
          <th scope="col">Decided pairs</th>
        </tr>
      </thead>
      <tbody>
        {dataset.embeddingVersions.map((version, index, versions) => (
          <tr key={version.embeddingVersionId}>
            <td className="mono">{version.embeddingVersionId}</td>
            <td className="mono">{version.runId ?? 'imported'}</td>
            <td className="number">{version.dimension}</td>
            <td className="number">{formatCount(version.count)}</td>
            <td>{formatTimestamp(version.createdAt)}</td>
            <td>{describeSearch(version.search)}</td>
            <td>
              {index > 0 && (
                <a
                  href={routeHash({
                    screen: 'versions',
                    datasetId: dataset.datasetId,
                    from: versions[index - 1]!.embeddingVersionId,
                    to: version.embeddingVersionId,
                  })}
                >
                  How they moved since the previous version
                </a>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One line on how mining and retrieval search a version: the saved HNSW index with its measured
 * recall when there is one, else what 'auto' would choose.
 */
function describeSearch(search: EmbeddingSearchSummary): string {
  if (search.kind === 'exact') return 'exact search';
  if (search.savedIndex !== true) return 'approximate index (HNSW), built and measured on first use';
  const index = 'approximate, saved HNSW index';
  if (search.recallAt10 === undefined) return `${index}, recall measured on next use`;
  return `${index}, recall@10 ${search.recallAt10.toFixed(3)} against exact search on ${formatCount(search.recallQueries ?? 0)} queries`;
}
