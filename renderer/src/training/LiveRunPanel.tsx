import { useEffect, useState } from 'react';
import type { RunCurvePoint } from '../../../src/api/contract-runs.js';
import type { TrainingJob } from '../../../src/api/contract.js';
import { useApi } from '../api/api-context.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { routeHash } from '../routes.js';
import { LineChart, type Series } from '../runs/LineChart.js';
import { curveOf, type CurveField } from '../runs/run-series.js';
import { isLive, useLiveRun } from './use-live-run.js';

export interface LiveRunPanelProps {
  datasetId: string;
  runId: string;
  /** Called with the new run after Resume, and after Stop, so that the page can follow and refresh its list. */
  onRunChanged(job: TrainingJob): void;
  /** Called when the polled status or step changes, so that the page can refresh its list of runs. Keep it stable across renders. */
  onJobChanged(): void;
}

/** Shows the state and curves of one run, polled about once a second while it trains, with Stop and Resume. */
export function LiveRunPanel({ datasetId, runId, onRunChanged, onJobChanged }: LiveRunPanelProps) {
  const api = useApi();
  const live = useLiveRun(runId);
  const [actionError, setActionError] = useState<unknown>(null);
  const [acting, setActing] = useState(false);
  const job = live.job;
  const status = job?.status;
  const step = job?.step;

  useEffect(() => {
    if (status !== undefined) onJobChanged();
  }, [status, step, onJobChanged]);

  const act = async (action: () => Promise<TrainingJob>): Promise<void> => {
    setActing(true);
    setActionError(null);
    try {
      onRunChanged(await action());
      live.refresh();
    } catch (error) {
      setActionError(error);
    } finally {
      setActing(false);
    }
  };

  if (job === undefined) {
    return live.error === null ? <p className="muted">Loading run {runId}…</p> : <ErrorPanel title={`Could not read run ${runId}`} error={live.error} />;
  }

  const points = live.curves?.points ?? [];
  const collapse = job.lastMonitors !== null && job.lastMonitors.collapsed && job.lastMonitors.step > 1;

  return (
    <section className="training-live" aria-label="Live run">
      <h2>
        Run <span className="mono">{job.runId}</span>
      </h2>
      {job.error !== null && (
        <ErrorPanel
          title={job.step === 0 ? `Run ${job.runId} ${job.status} before its first step` : `Run ${job.runId} ${job.status} at step ${job.step}`}
          error={new Error(job.error)}
          hint={job.errorHint}
        />
      )}
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="training-status">{job.status}</dd>
        <dt>Step</dt>
        <dd data-testid="training-step">
          {job.step} of {job.totalSteps ?? '?'}
        </dd>
        {job.status === 'loading' && (
          <>
            <dt>Images decoded</dt>
            <dd>
              {job.imagesLoaded} of {job.imagesTotal ?? '?'}
            </dd>
          </>
        )}
        <dt>Loss</dt>
        <dd>{formatNumber(job.loss)}</dd>
        <dt>Chance level ln K</dt>
        <dd>{formatNumber(job.lastMonitors?.chanceLoss ?? null)}</dd>
        <dt>Samples per second</dt>
        <dd>{formatNumber(job.samplesPerSecond)}</dd>
        <dt>Backend</dt>
        <dd data-testid="training-backend">{job.backend ?? 'reported after the first step'}</dd>
        {job.resumedFrom !== null && (
          <>
            <dt>Resumed from</dt>
            <dd className="mono">{job.resumedFrom}</dd>
          </>
        )}
      </dl>
      {job.totalSteps !== null && <progress max={job.totalSteps} value={job.step} aria-label="Training progress" />}

      {collapse && (
        <p className="collapse-warning" role="alert">
          The embeddings look collapsed at step {job.lastMonitors?.step}: {job.lastMonitors?.collapseReasons.join('; ').replace(/\.$/, '')}. Consider stopping the run and
          raising the temperature or lowering the learning rate.
        </p>
      )}
      {!collapse && job.collapseWarnings > 0 && (
        <p className="collapse-warning" role="alert">
          The collapse flag was raised at {job.collapseWarnings} monitored step(s) of this run.
        </p>
      )}
      {live.error !== null && <ErrorPanel title="Could not refresh the run" error={live.error} />}
      {actionError !== null && <ErrorPanel title="The action failed" error={actionError} />}

      <p>
        {(job.status === 'loading' || job.status === 'running') && (
          <button type="button" disabled={acting} onClick={() => void act(() => api.call('stopTraining', { runId: job.runId }))}>
            Stop
          </button>
        )}
        {job.status === 'stopping' && <span className="muted">Stopping after the current step…</span>}
        {job.resumable && !isLive(job) && (
          <button type="button" disabled={acting} onClick={() => void act(() => api.call('resumeTraining', { runId: job.runId }))}>
            Resume
          </button>
        )}{' '}
        <a href={routeHash({ screen: 'runs', datasetId, runId: job.runId })}>Compare this run with another on the runs page</a>
      </p>

      {live.curves?.truncated === true && <p className="muted">Only the last part of a long monitor log is drawn.</p>}
      <LiveCharts points={points} />
    </section>
  );
}

function LiveCharts({ points }: { points: RunCurvePoint[] }) {
  const chart = (title: string, fields: Array<{ field: CurveField; label: string; dashed?: boolean }>) => {
    const series: Series[] = fields.map(({ field, label, dashed }) => ({
      label,
      className: dashed === true ? 'series-b' : 'series-a',
      points: curveOf(points, field),
      ...(dashed === true ? { dashed } : {}),
    }));
    return <LineChart key={title} title={title} series={series} />;
  };
  const hasQueue = points.some((point) => point.queueFilledFraction !== undefined);

  return (
    <div className="chart-grid" data-testid="training-charts" data-points={points.length}>
      {chart('Loss and its chance level ln K', [
        { field: 'loss', label: 'loss' },
        { field: 'chanceLoss', label: 'chance ln K', dashed: true },
      ])}
      {chart('Effective rank', [{ field: 'effectiveRank', label: 'effective rank' }])}
      {chart('Contrastive top-1 accuracy', [{ field: 'topOneAccuracy', label: 'top-1' }])}
      {chart('Alignment and uniformity', [
        { field: 'alignment', label: 'alignment' },
        { field: 'uniformity', label: 'uniformity', dashed: true },
      ])}
      {chart('Masked fraction', [{ field: 'maskedFraction', label: 'masked' }])}
      {chart('Temperature', [{ field: 'temperature', label: 'temperature' }])}
      {hasQueue && chart('Queue filled fraction', [{ field: 'queueFilledFraction', label: 'filled' }])}
    </div>
  );
}

function formatNumber(value: number | null): string {
  if (value === null) return '–';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(4);
}
