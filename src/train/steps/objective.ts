/**
 * Binds a run's objective to its sampler and step function, and creates the objective's own state
 * (MoCo's key encoder and queue, CPC's context network) when a run starts from a seed.
 */
import { createLogger } from '../../core/log.js';
import { Rng } from '../../core/rng.js';
import type { ImageStack } from '../../dataset/images.js';
import type { Sample } from '../../dataset/manifest.js';
import type { PairRef } from '../../mask/groups.js';
import { toRuleSubject } from '../../mask/rules.js';
import { BatchSampler, type Batch, type SamplerState } from '../batches.js';
import type { RunConfig } from '../config.js';
import type { KeyMetadata } from '../objectives/moco.js';
import type { TrainingState } from '../trainer.js';
import { createCpcModel, cpcStep } from './cpc-step.js';
import { CpcWindowSampler, type CpcBatch } from './cpc-windows.js';
import { infoNceStep } from './infonce-step.js';
import { createMocoState, mocoStep, type MocoBatch } from './moco-step.js';
import { augmentationForPolicy, effectivePolicy, ntXentStep, type ImageModality } from './nt-xent-step.js';
import type { ObjectiveRunner, StepSampler } from './step.js';

const log = createLogger('train');

export interface ObjectiveRunnerOptions {
  stack: ImageStack;
  samples: readonly Sample[];
  samePairs: readonly PairRef[];
  differentPairs: readonly PairRef[];
  /** The sampler's saved position, when resuming. */
  saved: SamplerState | undefined;
}

/** Creates the sampler and step of the run's objective, positioned where a resumed run stopped. */
export function createObjectiveRunner(config: RunConfig, options: ObjectiveRunnerOptions): ObjectiveRunner {
  // Batches draw from their own stream, so that changing the architecture does not change them.
  const rng = options.saved === undefined ? new Rng(config.seed + 1) : Rng.fromState(options.saved.rngState);
  const objective = config.objective;

  if (objective.kind === 'cpc') {
    const sampler = new CpcWindowSampler({
      samples: options.samples,
      stack: options.stack,
      sequenceLength: objective.sequenceLength,
      sequencesPerBatch: objective.sequencesPerBatch,
      predictSteps: objective.predictSteps,
      neutralWindow: objective.neutralWindow,
      negativesPerAnchor: objective.negativesPerAnchor,
      samePairs: options.samePairs,
      augmentation: config.augmentation,
      rng,
    });
    if (options.saved !== undefined) sampler.restore(options.saved);
    const runner: ObjectiveRunner<CpcBatch> = { sampler, step: cpcStep, anchorsOf: (batch) => batch.sampleIndices.length };
    return runner as ObjectiveRunner;
  }

  const useHardNegatives = config.hardNegatives.enabled && config.hardNegatives.perBatch > 0;
  const sampler = new BatchSampler({
    samples: options.samples,
    stack: options.stack,
    batchSize: config.batchSize,
    // SimCLR's two views show one sample.
    positives: objective.kind === 'nt-xent' ? { kind: 'augment' } : config.positives,
    maskRules: config.maskRules,
    samePairs: options.samePairs,
    augmentation: objective.kind === 'nt-xent' ? ntXentAugmentation(config, options.samples) : config.augmentation,
    rng,
    differentPairs: useHardNegatives ? options.differentPairs : [],
    hardNegativesPerBatch: useHardNegatives ? config.hardNegatives.perBatch : 0,
    hardNegativeWeight: config.hardNegatives.weight,
  });
  if (options.saved !== undefined) sampler.restore(options.saved);
  const anchorsOf = (batch: Batch): number => batch.size;

  if (objective.kind === 'moco') {
    const metadata = keyMetadataOf(options.samples, sampler);
    const mocoSampler: StepSampler<MocoBatch> = {
      get anchorCount() {
        return sampler.anchorCount;
      },
      get epochs() {
        return sampler.epochs;
      },
      decisions: sampler.decisions,
      hardNegatives: sampler.hardNegatives,
      save: () => sampler.save(),
      next: () => {
        const batch = sampler.next();
        const views = Array.from(batch.viewSamples, (sample) => metadata(sample));
        const mocoBatch: MocoBatch = { ...batch, anchorMetadata: views.slice(0, batch.size), keyMetadata: views.slice(batch.size) };
        if (useHardNegatives) mocoBatch.keyNegatives = keyNegativesOf(batch, sampler);
        return mocoBatch;
      },
    };
    const runner: ObjectiveRunner<MocoBatch> = { sampler: mocoSampler, step: mocoStep, anchorsOf };
    return runner as ObjectiveRunner;
  }

  const runner: ObjectiveRunner<Batch> = { sampler, step: objective.kind === 'nt-xent' ? ntXentStep : infoNceStep, anchorsOf };
  return runner as ObjectiveRunner;
}

/** Adds the objective's own state to a run that starts from a seed; a resumed state brings its own. */
export function prepareObjectiveState(state: TrainingState): void {
  if (state.config.objective.kind === 'moco' && state.moco === undefined) state.moco = createMocoState(state.config, state.encoder);
  if (state.config.objective.kind === 'cpc' && state.cpc === undefined) state.cpc = createCpcModel(state.config);
}

/**
 * Returns the image modality of the training stack: BEV when every sample has a BEV raster, camera
 * otherwise, because the image loader takes a sample's BEV raster first.
 */
export function stackModality(samples: readonly Sample[]): ImageModality {
  return samples.every((sample) => sample.bev.length > 0) ? 'bev' : 'camera';
}

function ntXentAugmentation(config: RunConfig, samples: readonly Sample[]) {
  if (config.objective.kind !== 'nt-xent') throw new Error('ntXentAugmentation needs an nt-xent objective');
  const modality = stackModality(samples);
  const policy = effectivePolicy(config.objective.policy, modality);
  log.info(`nt-xent augmentation policy for ${modality} images: ${JSON.stringify(policy)}`);
  return augmentationForPolicy(policy, modality);
}

/**
 * Marks, for each query i and key j of a batch, whether key j is a hard negative of query i. It is
 * when their samples were decided `different` and the batch's mask does not join them (same place,
 * same decision group, the query's own positive).
 */
function keyNegativesOf(batch: Batch, sampler: BatchSampler): Uint8Array {
  const size = batch.size;
  const views = 2 * size;
  const mask = new Uint8Array(size * size);
  for (let query = 0; query < size; query++) {
    for (let key = 0; key < size; key++) {
      const keyView = size + key;
      const decided = sampler.isDecidedDifferent(batch.viewSamples[query] ?? -1, batch.viewSamples[keyView] ?? -1);
      if (decided && batch.validNegatives[query * views + keyView] === 1) mask[query * size + key] = 1;
    }
  }
  return mask;
}

function keyMetadataOf(samples: readonly Sample[], sampler: BatchSampler): (sample: number) => KeyMetadata {
  return (index) => {
    const sample = samples[index]!;
    const subject = toRuleSubject(sample);
    const metadata: KeyMetadata = { sampleId: sample.sampleId, sequenceId: sample.sequenceId, timestampSeconds: subject.timeSeconds };
    if (sample.placeId !== undefined) metadata.placeId = sample.placeId;
    const group = sampler.decisionGroupOf(index);
    if (group >= 0) metadata.decisionGroupId = String(group);
    return metadata;
  };
}
