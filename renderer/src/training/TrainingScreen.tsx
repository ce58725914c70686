import type { TrainingJob } from '../../../src/api/contract.js';
import { useApi } from '../api/api-context.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatTimestamp } from '../format.js';
import { routeHash } from '../routes.js';
import { LiveRunPanel } from './LiveRunPanel.js';
import { formDefaultsFor } from './training-config.js';
import { TrainingForm } from './TrainingForm.js';
import { isLive } from './use-live-run.js';
import './training.css';

/**
 * Starts training runs of a dataset and follows one of them live. `runId` (from the route) picks
 * the run drawn; without it the newest job of this session is drawn.
 */
export function TrainingScreen({ datasetId, runId }: { datasetId: string; runId: string | null }) {
  const api = useApi();
  const overview = useApiCall('getDatasetOverview', { datasetId });
  const jobs = useApiCall('listTrainingJobs', { datasetId });
  const list = jobs.state.value ?? [];
  const shown = runId ?? list[0]?.runId ?? null;

  const follow = (job: TrainingJob): void => {
    jobs.reload();
    window.location.hash = routeHash({ screen: 'train', datasetId, runId: job.runId });
  };

  const start = async (config: Record<string, unknown>, useDecisions: boolean): Promise<void> => {
    follow(await api.call('startTraining', { datasetId, config, useDecisions }));
  };

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> /{' '}
        <a href={routeHash({ screen: 'runs', datasetId })}>Training runs</a> / <span>Train</span>
      </nav>
      <h1>Train a model</h1>
      <p className="muted">
        One run trains at a time per workspace. Stopping keeps a checkpoint after the current step, and Resume continues from it as a new run.
      </p>

      {overview.state.status === 'error' && <ErrorPanel title={`Could not open dataset ${datasetId}`} error={overview.state.error} />}
      {/* The form waits for the dataset, whose place ids choose its default positives. */}
      {overview.state.value !== undefined && <TrainingForm initialValues={formDefaultsFor(overview.state.value)} onStart={start} busy={list.some(isLive)} />}

      {jobs.state.status === 'error' && <ErrorPanel title={`Could not list the training jobs of ${datasetId}`} error={jobs.state.error} />}
      {list.length > 0 && <JobsTable datasetId={datasetId} jobs={list} shown={shown} />}
      {shown !== null && <LiveRunPanel key={shown} datasetId={datasetId} runId={shown} onRunChanged={follow} onJobChanged={jobs.reload} />}
    </section>
  );
}

function JobsTable({ datasetId, jobs, shown }: { datasetId: string; jobs: TrainingJob[]; shown: string | null }) {
  return (
    <table className="data-table">
      <caption>Runs started here, and runs interrupted when their process exited</caption>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col" className="number">
            Step
          </th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.runId} aria-current={job.runId === shown ? 'true' : undefined}>
            <td className="mono">
              <a href={routeHash({ screen: 'train', datasetId, runId: job.runId })}>{job.runId}</a>
            </td>
            <td>
              {job.status}
              {job.resumable && <span className="muted"> (resumable)</span>}
            </td>
            <td>{formatTimestamp(job.startedAt)}</td>
            <td className="number">
              {job.step} of {job.totalSteps ?? '?'}
            </td>
            <td>{job.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
