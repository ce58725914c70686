/**
 * The benchmark page: one Markdown file rewritten by every `npm run bench`, with the date, the
 * machine, and each figure beside its baseline from the same run and the target an issue set.
 * Ratios against a same-run baseline are what to compare across runs, because absolute times on
 * shared machines vary by tens of percent.
 */
import { cpus, totalmem, platform, release } from 'node:os';
import { writeFileAtomic } from '../core/fs.js';

export interface BenchResult {
  /** Name of the measurement, in a few words. */
  name: string;
  /** The measured figure, formatted with its unit. */
  figure: string;
  /** The baseline measured in the same run, formatted with its unit. */
  baseline: string;
  /** figure / baseline, oriented so that larger is better; null when no ratio applies. */
  ratio: number | null;
  /** The target an issue set, or "none set". */
  target: string;
  /** Whether the target is met; null when no target is set. */
  met: boolean | null;
  notes?: string;
}

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 2 ** 30).toFixed(0);
  return `${cpus().length} x ${cpu}, ${memoryGiB} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

/** Three significant digits, so that small ratios such as 0.0019 do not print as 0.00. */
function formatRatio(ratio: number): string {
  return ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(3);
}

export function renderReport(results: BenchResult[], started: Date, durationSeconds: number): string {
  const rows = results.map((result) => {
    const ratio = result.ratio === null ? '—' : `${formatRatio(result.ratio)}x`;
    let met = '—';
    if (result.met === true) met = 'yes';
    if (result.met === false) met = '**no**';
    return `| ${result.name} | ${result.figure} | ${result.baseline} | ${ratio} | ${result.target} | ${met} |`;
  });
  const notes = results
    .filter((result) => result.notes !== undefined)
    .map((result) => `- **${result.name}**: ${result.notes}`);

  return `# Benchmarks

Rewritten by \`npm run bench\`. Each figure stands beside a baseline measured in the same run;
the ratio (larger is better) is the number to compare between runs and machines.

- Date: ${started.toISOString()}
- Machine: ${machineDescription()}
- Duration: ${durationSeconds.toFixed(0)} s

| benchmark | figure | baseline (same run) | ratio | target | met |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

## Notes

${notes.join('\n')}
`;
}

export function writeReport(path: string, results: BenchResult[], started: Date): void {
  const duration = (Date.now() - started.getTime()) / 1000;
  writeFileAtomic(path, renderReport(results, started, duration));
}
