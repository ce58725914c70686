import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunCurves, runFolder, toRunSummary } from '../../src/api/runs-view.js';
import { MONITOR_LOG_FILE } from '../../src/loop/monitor-log.js';
import { openStore } from '../../src/store/index.js';

const root = mkdtempSync(join(tmpdir(), 'apron-api-runs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('training runs for the runs page', () => {
  const store = openStore(join(root, 'apron.db'));
  store.addDataset({ datasetId: 'd', name: 'D', importer: null, manifestPath: join(root, 'm.json'), root, sampleCount: 3 });
  const run = store.startTrainingRun({ datasetId: 'd', config: { temperature: 0.1, batchSize: 8 } });

  it('reads the curves, monitors on the steps that have them', () => {
    mkdirSync(runFolder(store, run.runId), { recursive: true });
    const monitors = { chanceLoss: 2.7, effectiveRank: 5.5, topOneAccuracy: 0.5, alignment: 1, uniformity: -2, normMean: 3, normMin: 2, positiveSimilarityMean: 0.4, hardestNegativeSimilarityMean: 0.3, collapse: { collapsed: true, reasons: ['loss at chance'] } };
    const lines = [
      { step: 1, totalSteps: 3, loss: 2.6, maskedFraction: 0.1, samplesPerSecond: 10, epoch: 0, rowsWithoutNegatives: 0, monitors },
      { step: 2, totalSteps: 3, loss: 2.5, maskedFraction: 0.1, samplesPerSecond: 11, epoch: 0, rowsWithoutNegatives: 0 },
    ];
    // The last line is cut short, as when a run is killed while writing it.
    writeFileSync(join(runFolder(store, run.runId), MONITOR_LOG_FILE), `${lines.map((line) => JSON.stringify(line)).join('\n')}\n{"step": 3, "lo`);

    const curves = readRunCurves(store, run.runId);
    expect(curves.points.map((point) => point.step)).toEqual([1, 2]);
    expect(curves.points[0]?.effectiveRank).toBe(5.5);
    expect(curves.points[0]?.collapseReasons).toEqual(['loss at chance']);
    expect(curves.points[1]?.effectiveRank).toBeUndefined();
  });

  it('reports a run without a log as having no points', () => {
    const other = store.startTrainingRun({ datasetId: 'd', config: {} });
    expect(readRunCurves(store, other.runId)).toEqual({ runId: other.runId, points: [], truncated: false });
  });

  it('summarises the final metrics', () => {
    const finished = store.updateTrainingRun(run.runId, {
      status: 'completed',
      metrics: { backend: 'wasm', stepsRun: 3, finalLoss: 2.4, samplesPerSecond: 12, collapseWarnings: 1, lastMonitors: { effectiveRank: 6 } },
    });
    const summary = toRunSummary(finished);
    expect(summary.status).toBe('completed');
    expect(summary.finalLoss).toBe(2.4);
    expect(summary.collapseWarnings).toBe(1);
    expect(summary.effectiveRank).toBe(6);
  });
});
