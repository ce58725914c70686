/**
 * The hard-negative set of a dataset: pairs confirmed on the hard-negative board. A confirmation
 * is a `different` decision whose note is HARD_NEGATIVE_NOTE, so it also enters the mask and the
 * review history like any other decision. A pair leaves the set when its latest decision that is
 * not undone is no longer that confirmation. The export format is described in docs/hard-negatives.md.
 */
import type { LoadedDataset } from '../dataset/manifest-io.js';
import { compareSampleIds, type Store, type StoredDecision } from '../store/index.js';
import { mainClassOf } from './main-class.js';

export const HARD_NEGATIVE_NOTE = 'hard negative confirmed on the board';
export const HARD_NEGATIVES_FORMAT = 'apron-hard-negatives';
export const HARD_NEGATIVES_VERSION = 1;

export interface HardNegativeEntry {
  sampleA: string;
  sampleB: string;
  decisionId: number;
  reviewer: string;
  decidedAt: string;
  embeddingVersionId: string | null;
  classA: string | null;
  classB: string | null;
  placeA: string | null;
  placeB: string | null;
}

export interface HardNegativesDocument {
  format: typeof HARD_NEGATIVES_FORMAT;
  version: typeof HARD_NEGATIVES_VERSION;
  datasetId: string;
  exportedAt: string;
  count: number;
  pairs: HardNegativeEntry[];
}

/** Returns the counting decisions of the set, in pair order (`sampleA` the smaller id). */
export function listHardNegativeDecisions(store: Store, datasetId: string): StoredDecision[] {
  // The history is oldest first, so the last decision seen per pair that is not undone is the one that counts.
  const latest = new Map<string, StoredDecision>();
  for (const decision of store.listDecisionHistory(datasetId)) {
    if (decision.undoneAt !== null) continue;
    latest.set(`${decision.sampleA}\u0000${decision.sampleB}`, decision);
  }
  return [...latest.values()]
    .filter((decision) => decision.verdict === 'different' && decision.note === HARD_NEGATIVE_NOTE)
    .sort((a, b) => compareSampleIds(a.sampleA, b.sampleA) || compareSampleIds(a.sampleB, b.sampleB));
}

export function buildHardNegativesDocument(store: Store, datasetId: string, dataset: LoadedDataset, exportedAt: string): HardNegativesDocument {
  const sampleOf = (sampleId: string) => {
    const index = dataset.indexOf.get(sampleId);
    return index === undefined ? undefined : dataset.manifest.samples[index];
  };
  const pairs = listHardNegativeDecisions(store, datasetId).map((decision): HardNegativeEntry => {
    const a = sampleOf(decision.sampleA);
    const b = sampleOf(decision.sampleB);
    return {
      sampleA: decision.sampleA,
      sampleB: decision.sampleB,
      decisionId: decision.decisionId,
      reviewer: decision.reviewer,
      decidedAt: decision.decidedAt,
      embeddingVersionId: decision.embeddingVersionId,
      classA: a === undefined ? null : mainClassOf(a),
      classB: b === undefined ? null : mainClassOf(b),
      placeA: a?.placeId ?? null,
      placeB: b?.placeId ?? null,
    };
  });
  return { format: HARD_NEGATIVES_FORMAT, version: HARD_NEGATIVES_VERSION, datasetId, exportedAt, count: pairs.length, pairs };
}
