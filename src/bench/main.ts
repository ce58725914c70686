/**
 * `npm run bench`: run every benchmark and rewrite docs/benchmarks.md. Benchmarks that need the
 * real datasets in ../shared/data are skipped, and listed as skipped, when the folder is absent.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatError } from '../core/errors.js';
import { benchAnn } from './bench-ann.js';
import { benchDemo } from './bench-demo.js';
import { benchRerank } from './bench-rerank.js';
import { benchTrainSpeed } from './bench-train-speed.js';
import { benchTwoWorkers } from './bench-two-workers.js';
import { benchPointNetSpeed } from './bench-pointnet-speed.js';
import { benchSearch } from './bench-search.js';
import { benchStore } from './bench-store.js';
import { writeReport, type BenchResult } from './report.js';
import { BENCHES_ON_REAL_DATA } from './real-data.js';

function projectRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('cannot find package.json above the benchmark script');
    folder = parent;
  }
  return folder;
}

async function main(): Promise<number> {
  const root = projectRoot();
  const dataRoot = process.env['APRON_SHARED_DATA'] ?? join(root, '..', 'shared', 'data');
  const started = new Date();
  const results: BenchResult[] = [];
  let failures = 0;

  const benches: { name: string; run: () => Promise<BenchResult | BenchResult[]> }[] = [
    { name: 'search', run: benchSearch },
    { name: 'approximate search', run: () => benchAnn({ dataRoot }) },
    { name: 're-rank after a decision', run: benchRerank },
    { name: 'store', run: benchStore },
    { name: 'training speed', run: benchTrainSpeed },
    { name: 'two training workers', run: () => benchTwoWorkers() },
    { name: 'PointNet speed', run: () => benchPointNetSpeed() },
    { name: 'airside demo', run: benchDemo },
    ...BENCHES_ON_REAL_DATA.map((bench) => ({ name: bench.name, run: () => bench.run(dataRoot) })),
  ];

  for (const bench of benches) {
    process.stderr.write(`bench: ${bench.name}\n`);
    try {
      const outcome = await bench.run();
      for (const result of Array.isArray(outcome) ? outcome : [outcome]) {
        results.push(result);
        process.stderr.write(`  ${result.name}: ${result.figure} (baseline ${result.baseline})\n`);
      }
    } catch (error) {
      failures++;
      process.stderr.write(`bench ${bench.name} failed:\n${formatError(error)}\n`);
    }
  }

  const reportPath = join(root, 'docs', 'benchmarks.md');
  writeReport(reportPath, results, started);
  process.stderr.write(`bench: wrote ${reportPath}\n`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = 1;
  },
);
