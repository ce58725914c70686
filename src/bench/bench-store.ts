/**
 * Decision writes: each decision is its own durable transaction (WAL, synchronous = FULL) so that
 * the UI can show it saved. The baseline is the same writes to an in-memory database, which shows
 * what durability costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/index.js';
import type { BenchResult } from './report.js';

const DECISIONS = 500;

function fillStore(store: Store): number {
  store.addDataset({ datasetId: 'bench', name: 'bench', manifestPath: '/nonexistent/apron-manifest.json', root: '/nonexistent', sampleCount: DECISIONS + 1 });
  const start = performance.now();
  for (let i = 0; i < DECISIONS; i++) {
    store.recordDecision({ datasetId: 'bench', sampleA: `s${i}`, sampleB: `s${i + 1}`, verdict: 'same', reviewer: 'bench' });
  }
  return (performance.now() - start) / DECISIONS;
}

export async function benchStore(): Promise<BenchResult> {
  const folder = mkdtempSync(join(tmpdir(), 'apron-bench-store-'));
  try {
    const durable = openStore(join(folder, 'apron.db'));
    const durableMs = fillStore(durable);
    durable.close();

    const memory = openStore(':memory:');
    const memoryMs = fillStore(memory);
    memory.close();

    return {
      name: 'durable decision write (WAL, synchronous FULL)',
      figure: `${durableMs.toFixed(2)} ms per decision`,
      baseline: `${memoryMs.toFixed(3)} ms per decision in memory`,
      ratio: memoryMs / durableMs,
      target: 'none set',
      met: null,
      notes: `${DECISIONS} decisions, one transaction each; the ratio is the share of in-memory speed kept with durability.`,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
