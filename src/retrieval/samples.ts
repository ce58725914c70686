/** The metadata of embedded samples that retrieval reads, one entry per row of the embedding matrix. */
import type { Sample } from '../dataset/manifest.js';
import type { ConditionField } from './api-types.js';
import { mainClassOf } from './main-class.js';

export interface RetrievalSample {
  sampleId: string;
  sequenceId: string;
  /** Timestamp in seconds, precise enough for exclusion windows of a second or more. */
  timeSeconds: number;
  placeId: string | undefined;
  site: string | undefined;
  pose: { x: number; y: number } | undefined;
  /** Value of the chosen condition field, or undefined when the sample has none. */
  condition: string | undefined;
  /** The sample's main object class (see main-class.ts), or null without annotated objects. */
  mainClass: string | null;
}

export function toRetrievalSample(sample: Sample, conditionField: ConditionField): RetrievalSample {
  return {
    sampleId: sample.sampleId,
    sequenceId: sample.sequenceId,
    timeSeconds: Number(sample.timestampNs) / 1e9,
    placeId: sample.placeId,
    site: sample.site,
    pose: sample.pose === undefined ? undefined : { x: sample.pose.x, y: sample.pose.y },
    condition: sample[conditionField],
    mainClass: mainClassOf(sample),
  };
}

/**
 * Returns a test that is true when database row `j` must not be a result for query row `i`. The
 * query itself is always left out. With `sameSequenceSeconds` set, so are samples of the query's
 * sequence at most that many seconds away, because such neighbour frames would match trivially.
 */
export function createExclusion(samples: readonly RetrievalSample[], sameSequenceSeconds: number | undefined): (i: number, j: number) => boolean {
  return (i, j) => {
    if (i === j) return true;
    if (sameSequenceSeconds === undefined) return false;
    const a = samples[i]!;
    const b = samples[j]!;
    return a.sequenceId === b.sequenceId && Math.abs(a.timeSeconds - b.timeSeconds) <= sameSequenceSeconds;
  };
}

/** Distinct condition values in order of first appearance, and each row's index into them (-1 for none). */
export function indexConditions(samples: readonly RetrievalSample[]): { conditions: string[]; conditionOf: Int32Array } {
  const conditions: string[] = [];
  const position = new Map<string, number>();
  const conditionOf = new Int32Array(samples.length);
  samples.forEach((sample, row) => {
    if (sample.condition === undefined) {
      conditionOf[row] = -1;
      return;
    }
    let index = position.get(sample.condition);
    if (index === undefined) {
      index = conditions.length;
      conditions.push(sample.condition);
      position.set(sample.condition, index);
    }
    conditionOf[row] = index;
  });
  return { conditions, conditionOf };
}
