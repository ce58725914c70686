/**
 * The per-step record of a training run, saved beside its checkpoint as JSON lines: one line per
 * step with the loss, and the full monitors on the steps that compute them. A UI draws the curves
 * from it while the run goes on, and two runs can be compared from their files afterwards.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger } from '../core/log.js';
import type { StepMonitors } from '../train/monitors/step-monitors.js';
import type { TrainProgress } from '../train/trainer.js';

export const MONITOR_LOG_FILE = 'monitors.jsonl';

const log = createLogger('train');

export class MonitorLog {
  /** The latest full monitors of the run. */
  last: StepMonitors | undefined;
  /** Steps whose monitors raised the collapse flag. */
  collapseWarnings = 0;
  /** The latest step's progress, monitors or not. */
  lastProgress: TrainProgress | undefined;
  private failed = false;

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  record(progress: TrainProgress): void {
    this.lastProgress = progress;
    if (progress.monitors !== undefined) {
      this.last = progress.monitors;
      // The first step is at chance by construction; only later flags count.
      if (progress.monitors.collapse.collapsed && progress.step > 1) this.collapseWarnings++;
    }
    if (this.failed) return;
    try {
      // Appended line by line, so that a crash loses at most the step being written.
      appendFileSync(this.path, `${JSON.stringify(progress)}\n`);
    } catch (error) {
      // The run matters more than its curves: warn once and keep training.
      this.failed = true;
      log.warn(`cannot write the monitor log ${this.path}: ${(error as Error).message}`);
    }
  }
}
