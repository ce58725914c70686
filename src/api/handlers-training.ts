/**
 * Handlers of the training calls (contract-training.ts) over a TrainingJobManager.
 * createApiHandlers spreads them in with the other handlers.
 */
import type { TrainingApiResults, trainingApiArgs } from './contract-training.js';
import type { TrainingJobManager } from '../loop/training-jobs.js';
import type { z } from 'zod';

type TrainingMethod = keyof typeof trainingApiArgs;
type TrainingHandlers = { [M in TrainingMethod]: (args: z.output<(typeof trainingApiArgs)[M]>) => Promise<TrainingApiResults[M]> };

/** `jobs` is a function, so that the manager (which marks interrupted runs on creation) is made on the first training call. */
export function createTrainingHandlers(jobs: () => TrainingJobManager): TrainingHandlers {
  return {
    async startTraining({ datasetId, config, useDecisions }) {
      return jobs().start({ datasetId, config, useDecisions });
    },

    async stopTraining({ runId }) {
      return jobs().stop(runId);
    },

    async resumeTraining({ runId, useDecisions }) {
      return jobs().resume(runId, useDecisions);
    },

    async getTrainingJob({ runId }) {
      return jobs().get(runId);
    },

    async listTrainingJobs({ datasetId }) {
      return jobs().list(datasetId);
    },
  };
}
