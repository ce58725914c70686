/** Formatting of recall values for the retrieval screens. */
import type { RecallAtK } from '../../../src/retrieval/api-types.js';
import { MISSING } from '../format.js';

/** "0.667 (2/3)", or "—" when no query of the cell has a true match. */
export function formatRecall(entry: RecallAtK, counted: number): string {
  if (entry.recall === null) return MISSING;
  return `${entry.recall.toFixed(3)} (${entry.hits}/${counted})`;
}

/** CSS class for a cell coloured by its recall@1 in five steps of 0.2, or by "no data". */
export function recallClass(recall: number | null): string {
  if (recall === null) return 'recall-none';
  return `recall-${Math.min(4, Math.floor(recall * 5))}`;
}
