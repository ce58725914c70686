/**
 * Per-step monitors of a cross-modal CLIP run, computed from the batch's similarities between camera
 * rows and partner rows (LiDAR sweeps or BEV rasters).
 */

export interface CrossModalMonitors {
  loss: number;
  /**
   * ln K, the loss of embeddings that carry no information, where K is the mean number of
   * candidates per row (the positive and the valid negatives).
   */
  chanceLoss: number;
  /** 1 / logit scale after the step. */
  temperature: number;
  /** Share of camera rows whose most similar partner row (LiDAR or BEV) is their own pair. */
  topOneCameraToPartner: number;
  /** Share of partner rows whose most similar camera row is their own pair. */
  topOnePartnerToCamera: number;
}

/**
 * Computes the monitors from a row-major size x size similarity matrix (camera rows, partner columns).
 * A row counts as correct when its most similar candidate shows the same pair, so copies of one
 * pair in a batch all count.
 */
export function computeCrossModalMonitors(input: {
  similarity: Float32Array;
  pairIndices: Int32Array;
  validNegatives: Uint8Array;
  loss: number;
  temperature: number;
}): CrossModalMonitors {
  const size = input.pairIndices.length;
  let candidates = 0;
  for (let i = 0; i < size; i++) {
    candidates += 1;
    for (let j = 0; j < size; j++) candidates += input.validNegatives[i * size + j] ?? 0;
  }

  const hits = (at: (row: number, column: number) => number): number => {
    let correct = 0;
    for (let row = 0; row < size; row++) {
      let best = 0;
      for (let column = 1; column < size; column++) if (at(row, column) > at(row, best)) best = column;
      if (input.pairIndices[best] === input.pairIndices[row]) correct++;
    }
    return correct / size;
  };
  return {
    loss: input.loss,
    chanceLoss: Math.log(candidates / size),
    temperature: input.temperature,
    topOneCameraToPartner: hits((row, column) => input.similarity[row * size + column]!),
    topOnePartnerToCamera: hits((row, column) => input.similarity[column * size + row]!),
  };
}
