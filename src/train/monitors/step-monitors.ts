/**
 * Per-step monitors of contrastive training, computed in plain JavaScript from one batch's
 * embeddings, positives and negative mask, plus a collapse check with a reason people can read.
 *
 * Geometry (norms aside) is measured on unit-length embeddings, because the loss normalises them:
 * - alignment (Wang and Isola, 2020, alpha = 2): mean ||f(x) - f(y)||^2 over positive pairs;
 * - uniformity (t = 2): log of the mean of exp(-2 ||f(x) - f(y)||^2) over all pairs of anchors;
 * - effective rank and the covariance spectrum of the anchors (see spectrum.ts).
 * The chance level is the loss of embeddings that carry no information: ln K, where K counts a
 * term's candidates (its positive and the row's valid negatives), averaged like the loss is.
 */
import * as tf from '@tensorflow/tfjs-core';
import { positiveMask, type Positives } from '../infonce.js';
import { countRows } from '../objectives/logit-infonce.js';
import { covariance, effectiveRankOf, symmetricEigenvalues } from './spectrum.js';

/** Row-major embeddings as plain values, or a tensor that the monitors read once. */
export type Embeddings = tf.Tensor2D | { values: ArrayLike<number>; rows: number; columns: number };

export interface MonitorInputs {
  /** N x D anchor embeddings before normalisation. */
  anchors: Embeddings;
  /** M x D candidate embeddings before normalisation. Absent: the anchors (as in NT-Xent). */
  candidates?: Embeddings;
  positives: Positives;
  /** Row-major N x M, 1 where candidate k may be a negative for anchor i. */
  validNegatives: Uint8Array;
  /** The step's loss, for the chance-level comparison. */
  loss?: number;
  temperature?: number;
  /** MoCo's KeyQueue.filledFraction. */
  queueFilledFraction?: number;
  /**
   * Loss convention for rows with a positive but no valid negative: `excluded` from the mean as in
   * ntXentLoss (the default), or counted as `zero` as in infoNceLoss. The chance level follows it.
   */
  rowsWithoutNegatives?: 'excluded' | 'zero';
  /** Eigenvalues of the covariance spectrum to report, largest first. Default 8. */
  topEigenvalues?: number;
  thresholds?: Partial<CollapseThresholds>;
}

export interface CollapseThresholds {
  /** Collapse when the effective rank falls below this. */
  minEffectiveRank: number;
  /**
   * Collapse when the mean per-dimension std of unit embeddings falls below this fraction of
   * 1 / sqrt(D), the std of unit vectors spread evenly over the sphere.
   */
  minStdFraction: number;
  /** Loss within this fraction of the chance level counts as "at chance". */
  chanceTolerance: number;
  /** Positive and negative mean cosine similarity closer than this count as "equal". */
  similarityGap: number;
}

export const DEFAULT_COLLAPSE_THRESHOLDS: CollapseThresholds = {
  minEffectiveRank: 2,
  minStdFraction: 0.1,
  chanceTolerance: 0.02,
  similarityGap: 0.02,
};

export interface StepMonitors {
  /** Mean over the loss's rows of ln K, K = 1 + the row's valid negatives. */
  chanceLoss: number;
  loss: number | undefined;
  normMean: number;
  normMin: number;
  alignment: number;
  uniformity: number;
  effectiveRank: number;
  /** Largest covariance eigenvalues of the unit anchors, largest first. */
  covarianceSpectrum: number[];
  /** Mean over dimensions of the std of the unit anchors. */
  normalisedStdMean: number;
  positiveSimilarityMean: number;
  negativeSimilarityMean: number;
  /** Mean over rows with a valid negative of the highest negative similarity. */
  hardestNegativeSimilarityMean: number;
  /** Fraction of rows with a positive whose best positive beats every valid negative. */
  topOneAccuracy: number;
  maskedFraction: number;
  rowsWithoutNegatives: number;
  queueFilledFraction: number | undefined;
  temperature: number | undefined;
  collapse: { collapsed: boolean; reasons: string[] };
}

interface Matrix {
  values: ArrayLike<number>;
  rows: number;
  columns: number;
}

/** Computes every monitor for one batch. */
export function computeStepMonitors(inputs: MonitorInputs): StepMonitors {
  const anchors = readEmbeddings(inputs.anchors);
  const candidates = inputs.candidates === undefined ? anchors : readEmbeddings(inputs.candidates);
  if (anchors.columns !== candidates.columns) {
    throw new Error(`Anchors have dimension ${anchors.columns} but candidates have ${candidates.columns}`);
  }
  const { rows, columns: dimension } = anchors;
  const count = candidates.rows;
  if (inputs.validNegatives.length !== rows * count) {
    throw new Error(`The validNegatives mask has ${inputs.validNegatives.length} entries, expected ${rows} x ${count} = ${rows * count}`);
  }
  const positives = positiveMask(inputs.positives, rows, count);
  const counts = countRows(positives, inputs.validNegatives, rows, count);

  const anchorNorms = rowNorms(anchors);
  const unitAnchors = normalise(anchors, anchorNorms);
  const unitCandidates = inputs.candidates === undefined ? unitAnchors : normalise(candidates, rowNorms(candidates));
  const similarity = (i: number, k: number): number => dot(unitAnchors, i, unitCandidates, k, dimension);

  let chanceSum = 0;
  let alignmentSum = 0;
  let positiveSum = 0;
  let positivePairs = 0;
  let negativeSum = 0;
  let negativePairs = 0;
  let hardestSum = 0;
  let rowsWithNegatives = 0;
  let correct = 0;
  const anchorsWithPositives = rows - counts.rowsWithoutPositives;
  const chanceRows = inputs.rowsWithoutNegatives === 'zero' ? anchorsWithPositives : anchorsWithPositives - counts.rowsWithoutNegatives;
  for (let i = 0; i < rows; i++) {
    const rowPositives = counts.positivesPerRow[i] ?? 0;
    if (rowPositives === 0) continue;
    const rowNegatives = counts.negativesPerRow[i] ?? 0;
    // Every term of a row has the same candidates, so the row's mean of ln K is ln K itself. A row
    // without negatives adds ln 1 = 0.
    chanceSum += Math.log(1 + rowNegatives);

    let bestPositive = -Infinity;
    let hardestNegative = -Infinity;
    for (let k = 0; k < count; k++) {
      const index = i * count + k;
      if (positives[index] === 1) {
        const value = similarity(i, k);
        positiveSum += value;
        alignmentSum += 2 - 2 * value;
        positivePairs++;
        bestPositive = Math.max(bestPositive, value);
      } else if (inputs.validNegatives[index] === 1) {
        const value = similarity(i, k);
        negativeSum += value;
        negativePairs++;
        hardestNegative = Math.max(hardestNegative, value);
      }
    }
    if (rowNegatives > 0) {
      hardestSum += hardestNegative;
      rowsWithNegatives++;
    }
    if (bestPositive > hardestNegative) correct++;
  }

  const spectrum = symmetricEigenvalues(covariance(unitAnchors.values, rows, dimension), dimension);
  const monitors: Omit<StepMonitors, 'collapse'> = {
    chanceLoss: chanceRows === 0 ? 0 : chanceSum / chanceRows,
    loss: inputs.loss,
    normMean: mean(anchorNorms),
    normMin: anchorNorms.reduce((least, norm) => Math.min(least, norm), anchorNorms.length === 0 ? 0 : Infinity),
    alignment: positivePairs === 0 ? 0 : alignmentSum / positivePairs,
    uniformity: uniformity(unitAnchors),
    effectiveRank: effectiveRankOf(spectrum),
    covarianceSpectrum: Array.from(spectrum.subarray(0, inputs.topEigenvalues ?? 8)),
    normalisedStdMean: meanStd(unitAnchors),
    positiveSimilarityMean: positivePairs === 0 ? 0 : positiveSum / positivePairs,
    negativeSimilarityMean: negativePairs === 0 ? 0 : negativeSum / negativePairs,
    hardestNegativeSimilarityMean: rowsWithNegatives === 0 ? 0 : hardestSum / rowsWithNegatives,
    topOneAccuracy: anchorsWithPositives === 0 ? 0 : correct / anchorsWithPositives,
    maskedFraction: counts.nonPositivePairs === 0 ? 0 : counts.maskedPairs / counts.nonPositivePairs,
    rowsWithoutNegatives: counts.rowsWithoutNegatives,
    queueFilledFraction: inputs.queueFilledFraction,
    temperature: inputs.temperature,
  };
  const thresholds = { ...DEFAULT_COLLAPSE_THRESHOLDS, ...inputs.thresholds };
  return { ...monitors, collapse: detectCollapse(monitors, dimension, thresholds) };
}

/**
 * Checks the signs of representation collapse and returns one sentence per sign found. Any one
 * sign sets `collapsed`.
 */
export function detectCollapse(
  monitors: Omit<StepMonitors, 'collapse'>,
  dimension: number,
  thresholds: CollapseThresholds = DEFAULT_COLLAPSE_THRESHOLDS,
): { collapsed: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (dimension >= thresholds.minEffectiveRank && monitors.effectiveRank < thresholds.minEffectiveRank) {
    reasons.push(
      `The effective rank of the embeddings is ${monitors.effectiveRank.toFixed(2)}, below ${thresholds.minEffectiveRank}: they span almost no directions of the ${dimension}-dimensional space.`,
    );
  }
  const minStd = thresholds.minStdFraction / Math.sqrt(dimension);
  if (monitors.normalisedStdMean < minStd) {
    reasons.push(
      `The unit embeddings vary by a mean std of ${monitors.normalisedStdMean.toExponential(2)} per dimension, below ${minStd.toExponential(2)}: every input maps to nearly the same point.`,
    );
  }
  const { loss, chanceLoss } = monitors;
  if (loss !== undefined && chanceLoss > 0 && Math.abs(loss - chanceLoss) <= thresholds.chanceTolerance * chanceLoss) {
    const gap = monitors.positiveSimilarityMean - monitors.negativeSimilarityMean;
    if (Math.abs(gap) < thresholds.similarityGap) {
      reasons.push(
        `The loss ${loss.toFixed(4)} is at the chance level ln K = ${chanceLoss.toFixed(4)} and positives are no more similar than negatives (mean cosine ${monitors.positiveSimilarityMean.toFixed(3)} against ${monitors.negativeSimilarityMean.toFixed(3)}).`,
      );
    }
  }
  return { collapsed: reasons.length > 0, reasons };
}

function readEmbeddings(embeddings: Embeddings): Matrix {
  if (embeddings instanceof tf.Tensor) {
    const [rows, columns] = embeddings.shape;
    return { values: embeddings.dataSync(), rows, columns };
  }
  if (embeddings.values.length !== embeddings.rows * embeddings.columns) {
    throw new Error(`Expected ${embeddings.rows} x ${embeddings.columns} values, got ${embeddings.values.length}`);
  }
  return embeddings;
}

function rowNorms(matrix: Matrix): number[] {
  const norms: number[] = [];
  for (let i = 0; i < matrix.rows; i++) norms.push(Math.sqrt(dot(matrix, i, matrix, i, matrix.columns)));
  return norms;
}

/** Scales each row to unit length. A zero row stays zero, as l2Normalize leaves it. */
function normalise(matrix: Matrix, norms: readonly number[]): Matrix {
  const values = new Float64Array(matrix.rows * matrix.columns);
  for (let i = 0; i < matrix.rows; i++) {
    const norm = norms[i] ?? 0;
    const scale = norm > 0 ? 1 / norm : 0;
    for (let d = 0; d < matrix.columns; d++) values[i * matrix.columns + d] = (matrix.values[i * matrix.columns + d] ?? 0) * scale;
  }
  return { values, rows: matrix.rows, columns: matrix.columns };
}

function dot(a: Matrix, i: number, b: Matrix, k: number, dimension: number): number {
  let sum = 0;
  for (let d = 0; d < dimension; d++) sum += (a.values[i * dimension + d] ?? 0) * (b.values[k * dimension + d] ?? 0);
  return sum;
}

/** log mean exp(-2 ||x_i - x_j||^2) over pairs i < j of unit rows, with a stable log-sum-exp. */
function uniformity(unit: Matrix): number {
  const exponents: number[] = [];
  for (let i = 0; i < unit.rows; i++) {
    for (let j = i + 1; j < unit.rows; j++) exponents.push(-2 * Math.max(0, 2 - 2 * dot(unit, i, unit, j, unit.columns)));
  }
  if (exponents.length === 0) return 0;
  const largest = exponents.reduce((most, value) => Math.max(most, value), -Infinity);
  let sum = 0;
  for (const value of exponents) sum += Math.exp(value - largest);
  return largest + Math.log(sum / exponents.length);
}

function meanStd(matrix: Matrix): number {
  if (matrix.rows === 0 || matrix.columns === 0) return 0;
  let total = 0;
  for (let d = 0; d < matrix.columns; d++) {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < matrix.rows; i++) {
      const value = matrix.values[i * matrix.columns + d] ?? 0;
      sum += value;
      squares += value * value;
    }
    const average = sum / matrix.rows;
    total += Math.sqrt(Math.max(0, squares / matrix.rows - average * average));
  }
  return total / matrix.columns;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((total, value) => total + value, 0) / values.length;
}
