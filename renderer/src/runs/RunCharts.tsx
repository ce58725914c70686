import type { RunCurves } from '../../../src/api/contract-runs.js';
import { useApiCall } from '../api/use-api-call.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { LineChart, type Series } from './LineChart.js';
import { collapsedSteps, curveOf, type CurveField } from './run-series.js';

const RUN_CLASSES = ['series-a', 'series-b'];

/** Draws the monitor curves of one or two runs, two runs over each other in each chart. */
export function RunCharts({ runIds }: { runIds: string[] }) {
  const first = useApiCall('getRunCurves', { runId: runIds[0] ?? '' });
  const second = useApiCall('getRunCurves', { runId: runIds[1] ?? runIds[0] ?? '' });
  const loaded = [first.state.value, runIds.length > 1 ? second.state.value : undefined].filter((value): value is RunCurves => value !== undefined);
  const failed = [first, second].find((call) => call.state.status === 'error');

  if (failed?.state.status === 'error') return <ErrorPanel title="Could not read the run's monitor log" error={failed.state.error} />;
  if (loaded.length === 0) return <p className="muted">Loading curves…</p>;

  const chart = (title: string, fields: Array<{ field: CurveField; label: string; dashed?: boolean }>) => {
    const series: Series[] = loaded.flatMap((curves, index) =>
      fields.map(({ field, label, dashed }) => ({
        label: `${loaded.length > 1 ? `${curves.runId}: ` : ''}${label}`,
        className: RUN_CLASSES[index] ?? 'series-a',
        points: curveOf(curves.points, field),
        ...(dashed === true ? { dashed } : {}),
      })),
    );
    return <LineChart key={title} title={title} series={series} />;
  };

  return (
    <section className="run-charts" aria-label="Run curves">
      {loaded.map((curves) => {
        const collapse = collapsedSteps(curves.points);
        return (
          <div key={curves.runId}>
            {curves.points.length === 0 && <p className="muted">Run {curves.runId} has no monitor log (it predates monitoring, or has not started).</p>}
            {curves.truncated && <p className="muted">Run {curves.runId}: only the last part of a long log is drawn.</p>}
            {collapse.steps.length > 0 && (
              <p className="alert" role="alert">
                Run {curves.runId} looks collapsed at step {collapse.steps.join(', ')}: {collapse.reasons.join('; ')}
              </p>
            )}
          </div>
        );
      })}
      <div className="chart-grid">
        {chart('Loss and its chance level ln K', [
          { field: 'loss', label: 'loss' },
          { field: 'chanceLoss', label: 'chance', dashed: true },
        ])}
        {chart('Effective rank', [{ field: 'effectiveRank', label: 'effective rank' }])}
        {chart('Contrastive top-1 accuracy', [{ field: 'topOneAccuracy', label: 'top-1' }])}
        {chart('Similarity of positives and of the hardest negative', [
          { field: 'positiveSimilarity', label: 'positive' },
          { field: 'hardestNegativeSimilarity', label: 'hardest negative', dashed: true },
        ])}
        {chart('Alignment and uniformity', [
          { field: 'alignment', label: 'alignment' },
          { field: 'uniformity', label: 'uniformity', dashed: true },
        ])}
        {chart('Embedding norm', [
          { field: 'normMean', label: 'mean' },
          { field: 'normMin', label: 'minimum', dashed: true },
        ])}
        {chart('Masked fraction', [{ field: 'maskedFraction', label: 'masked' }])}
        {chart('Throughput (anchor samples/s)', [{ field: 'samplesPerSecond', label: 'samples/s' }])}
      </div>
    </section>
  );
}
