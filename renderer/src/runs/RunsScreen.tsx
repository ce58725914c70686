import { useState } from 'react';
import type { RunSummary } from '../../../src/api/contract-runs.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { formatTimestamp } from '../format.js';
import { routeHash } from '../routes.js';
import { describeConfig } from './run-config.js';
import { RunCharts } from './RunCharts.js';

/**
 * Lists the training runs of a dataset with their configuration and monitors, and draws the
 * curves of one run, or of two runs over each other to compare them.
 */
export function RunsScreen({ datasetId, runId }: { datasetId: string; runId?: string }) {
  const call = useApiCall('listRuns', { datasetId });
  const [picked, setPicked] = useState<string[]>(runId === undefined ? [] : [runId]);
  const runs = call.state.value;

  const toggle = (runId: string): void =>
    setPicked((current) => (current.includes(runId) ? current.filter((id) => id !== runId) : [...current, runId].slice(-2)));

  return (
    <section>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <a href="#/">Datasets</a> / <a href={routeHash({ screen: 'dataset', datasetId })}>{datasetId}</a> / <span>Training runs</span>
      </nav>
      <h1>Training runs</h1>
      <p className="muted">
        Start a run with <code>npx apron train --dataset {datasetId}</code>. Tick one run to draw its curves, or two to compare them.
        Reload the page to follow a run in progress.
      </p>
      <p>
        <a className="button" href={routeHash({ screen: 'train', datasetId, runId: null })}>
          Train a model
        </a>{' '}
        <span className="muted">Start, stop and resume runs here, and follow their monitors live.</span>
      </p>

      {call.state.status === 'error' && <ErrorPanel title={`Could not list the runs of ${datasetId}`} error={call.state.error} />}
      {runs === undefined && call.state.status === 'loading' && <p className="muted">Loading runs…</p>}
      {runs !== undefined && runs.length === 0 && <p className="muted">No training run yet.</p>}
      {runs !== undefined && runs.length > 0 && <RunsTable runs={runs} picked={picked} onToggle={toggle} />}
      {picked.length > 0 && <RunCharts runIds={picked} />}
    </section>
  );
}

function RunsTable({ runs, picked, onToggle }: { runs: RunSummary[]; picked: string[]; onToggle: (runId: string) => void }) {
  return (
    <table className="data-table runs-table">
      <thead>
        <tr>
          <th scope="col">Show</th>
          <th scope="col">Run</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Configuration</th>
          <th scope="col" className="number">
            Steps
          </th>
          <th scope="col" className="number">
            Final loss <span className="muted">(last 10 steps)</span>
          </th>
          <th scope="col" className="number">
            Effective rank
          </th>
          <th scope="col" className="number">
            Decisions used
          </th>
          <th scope="col">Backend</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.runId} className={run.collapseWarnings > 0 ? 'run-collapsed' : undefined}>
            <td>
              <input type="checkbox" aria-label={`Show run ${run.runId}`} checked={picked.includes(run.runId)} onChange={() => onToggle(run.runId)} />
            </td>
            <td className="mono">{run.runId}</td>
            <td>
              {run.status}
              {run.collapseWarnings > 0 && <span className="tag warning"> collapse flagged at {run.collapseWarnings} step(s)</span>}
              {run.error !== null && <div className="muted">{run.error}</div>}
            </td>
            <td>{formatTimestamp(run.startedAt)}</td>
            <td className="mono run-config">{describeConfig(run.config)}</td>
            <td className="number">
              {run.step ?? run.stepsRun ?? '–'}
              {run.step !== null && run.stepsRun !== null && run.stepsRun !== run.step && <div className="muted">{run.stepsRun} in this run</div>}
            </td>
            <td className="number">{run.finalLoss === null ? '–' : run.finalLoss.toFixed(4)}</td>
            <td className="number">{run.effectiveRank === null ? '–' : run.effectiveRank.toFixed(1)}</td>
            <td className="number">{run.decisionsUsed ?? '–'}</td>
            <td>{run.backend ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
