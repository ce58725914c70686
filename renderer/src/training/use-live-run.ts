/** Polls a run's live state and its monitor curves about once a second while it trains. */
import { useEffect, useState } from 'react';
import type { RunCurves } from '../../../src/api/contract-runs.js';
import type { TrainingJob } from '../../../src/api/contract.js';
import { useApi } from '../api/api-context.js';

export const POLL_INTERVAL_MS = 1000;

/** Statuses in which a run's state still changes. */
export function isLive(job: TrainingJob | undefined): boolean {
  return job !== undefined && (job.status === 'loading' || job.status === 'running' || job.status === 'stopping');
}

export interface LiveRun {
  job: TrainingJob | undefined;
  curves: RunCurves | undefined;
  error: unknown;
  /** Polls again now, for example right after Stop. */
  refresh(): void;
}

export function useLiveRun(runId: string): LiveRun {
  const api = useApi();
  const [job, setJob] = useState<TrainingJob | undefined>(undefined);
  const [curves, setCurves] = useState<RunCurves | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    let timer: number | undefined;

    const poll = async (): Promise<void> => {
      try {
        const [nextJob, nextCurves] = await Promise.all([api.call('getTrainingJob', { runId }), api.call('getRunCurves', { runId })]);
        if (!current) return;
        setJob(nextJob);
        setCurves(nextCurves);
        setError(null);
        // A run that has ended changes no more, so polling stops until the next refresh.
        if (isLive(nextJob)) timer = window.setTimeout(() => void poll(), POLL_INTERVAL_MS);
      } catch (failure) {
        if (!current) return;
        setError(failure);
        timer = window.setTimeout(() => void poll(), POLL_INTERVAL_MS);
      }
    };
    void poll();

    return () => {
      current = false;
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [api, runId, generation]);

  return { job, curves, error, refresh: () => setGeneration((value) => value + 1) };
}
