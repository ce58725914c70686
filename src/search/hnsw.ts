/**
 * Approximate top-k cosine search over L2-normalised float32 vectors, through the hierarchical
 * navigable small world (HNSW) graph of hnswlib-node 3.0.0.
 *
 * Labels are row indices, the same numbering as ExactIndex, so results of both can be compared.
 * Scores are cosine similarities: the 'ip' space stores distance 1 - dot in float32, and
 * `search` returns 1 - distance.
 *
 * The binding is synchronous and single-threaded, and it takes every vector as a plain JS Array,
 * so each call copies one row out of the Float32Array. Run large builds in a worker.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import hnswlib from 'hnswlib-node';
import { ApronError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { Rng } from '../core/rng.js';
import type { ExactIndex, Neighbour, TopKTable } from './exact.js';
import { ranksBefore } from './top-k-heap.js';

export type HnswSpace = 'ip' | 'cosine';

export interface HnswParameters {
  /** Graph links per node and layer (hnswlib `M`). Default 16. */
  m: number;
  /** Candidate list size while inserting. Default 200. Larger builds slower and gives better recall. */
  efConstruction: number;
  /** Candidate list size while searching, raised to k when smaller. Default 128. */
  efSearch: number;
  /**
   * 'ip' scores raw dot products and needs unit vectors. 'cosine' makes hnswlib normalise
   * every vector it receives. Default 'ip', because embedding versions are stored normalised.
   */
  space: HnswSpace;
  /** Seed of the level generator, so the same vectors in the same order build the same graph. Default 100. */
  seed: number;
}

export const DEFAULT_HNSW_PARAMETERS: HnswParameters = { m: 16, efConstruction: 200, efSearch: 128, space: 'ip', seed: 100 };

export interface HnswProgressOptions {
  /** Called every few thousand rows with the rows done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Rows between two progress calls while adding or querying. */
const PROGRESS_EVERY = 4096;

/** Same tolerance as ExactIndex: float32 rounding moves a unit norm by about 1e-7. */
const UNIT_NORM_TOLERANCE = 1e-3;

/** Recall@k of an index against exact search, measured on the rows listed in `queryRows`. */
export interface HnswRecallRecord {
  k: number;
  /** Number of query rows. */
  queries: number;
  recall: number;
  /** Seed of the generator that drew the query rows. */
  seed: number;
  queryRows: number[];
  measuredAt: string;
}

/** When and how fast a saved graph was built, and its last measured recall. */
export interface HnswBuildRecord {
  builtAt: string;
  buildMs: number;
  /** Set when rows were added to the saved graph after it was built. */
  updatedAt?: string;
  /** Rows added after the build, over all updates. */
  addedRows?: number;
  recall?: HnswRecallRecord;
}

/** Sidecar file written beside the graph, because the hnswlib file does not keep efSearch or the space. */
export interface HnswSidecar {
  format: 'apron-hnsw';
  version: 1;
  dimension: number;
  count: number;
  parameters: HnswParameters;
  /** Absent in sidecars written by `save` without a build record. */
  build?: HnswBuildRecord;
}

export class HnswIndex {
  readonly dimension: number;
  readonly parameters: HnswParameters;
  private readonly graph: hnswlib.HierarchicalNSW;

  private constructor(graph: hnswlib.HierarchicalNSW, dimension: number, parameters: HnswParameters) {
    this.graph = graph;
    this.dimension = dimension;
    this.parameters = parameters;
  }

  /** Builds a graph over `vectors` (N rows of `dimension` values), labelled 0..N-1. */
  static build(vectors: Float32Array, dimension: number, parameters: Partial<HnswParameters> = {}, options: HnswProgressOptions = {}): HnswIndex {
    const resolved = resolveParameters(parameters);
    checkShape(vectors, dimension);
    const count = vectors.length / dimension;
    const graph = new hnswlib.HierarchicalNSW(resolved.space, dimension);
    // hnswlib rejects a capacity of 0, and an empty index should still accept `add` later.
    graph.initIndex({ maxElements: Math.max(count, 1), m: resolved.m, efConstruction: resolved.efConstruction, randomSeed: resolved.seed });
    graph.setEf(resolved.efSearch);
    const index = new HnswIndex(graph, dimension, resolved);
    index.add(vectors, 0, options);
    return index;
  }

  /** Reads a graph written by `save`, with its sidecar `<path>.json`. */
  static load(path: string): HnswIndex {
    const sidecarPath = sidecarPathFor(path);
    for (const file of [path, sidecarPath]) {
      if (!existsSync(file)) {
        throw new ApronError('not-found', `HNSW index file not found: ${file}`, {
          path: file,
          hint: 'Build the index again from its embedding version; the index is derived data.',
        });
      }
    }
    const sidecar = readHnswSidecar(path);
    const graph = new hnswlib.HierarchicalNSW(sidecar.parameters.space, sidecar.dimension);
    try {
      graph.readIndexSync(path);
    } catch (error) {
      throw new ApronError('unreadable-file', `Could not read the HNSW index ${path}: ${(error as Error).message}`, {
        path,
        hint: 'Delete the .hnsw files and build the index again.',
        cause: error,
      });
    }
    if (graph.getCurrentCount() !== sidecar.count) {
      throw new ApronError('unreadable-file', `HNSW index ${path} has ${graph.getCurrentCount()} points, but its sidecar records ${sidecar.count}`, {
        path,
        hint: 'The two files come from different saves; delete both and build the index again.',
      });
    }
    graph.setEf(sidecar.parameters.efSearch);
    return new HnswIndex(graph, sidecar.dimension, sidecar.parameters);
  }

  /** Number of points in the graph. */
  get count(): number {
    return this.graph.getCurrentCount();
  }

  /** Sets the candidate list size for later searches (recall against speed). */
  setEfSearch(efSearch: number): void {
    checkPositiveInteger('efSearch', efSearch);
    this.parameters.efSearch = efSearch;
    this.graph.setEf(efSearch);
  }

  /**
   * Inserts rows labelled `startLabel`, `startLabel + 1`, ... into the existing graph, without a
   * rebuild. The capacity doubles when it runs out. A label already present replaces its vector.
   */
  add(vectors: Float32Array, startLabel: number, options: HnswProgressOptions = {}): void {
    checkShape(vectors, this.dimension);
    if (!Number.isSafeInteger(startLabel) || startLabel < 0 || startLabel > 0xffffffff) {
      throw new ApronError('invalid-input', `Start label must be an integer from 0 to 2^32 - 1, got ${startLabel}`);
    }
    if (this.parameters.space === 'ip') assertUnitRows(vectors, this.dimension);

    const rows = vectors.length / this.dimension;
    const needed = this.graph.getCurrentCount() + rows;
    if (needed > this.graph.getMaxElements()) {
      this.graph.resizeIndex(Math.max(needed, 2 * this.graph.getMaxElements()));
    }
    for (let row = 0; row < rows; row++) {
      this.graph.addPoint(rowArray(vectors, this.dimension, row), startLabel + row);
      if ((row + 1) % PROGRESS_EVERY === 0 || row + 1 === rows) options.onProgress?.(row + 1, rows);
    }
  }

  /** Returns the k points most similar to `query` (length D), best first, ties by lower label. */
  search(query: Float32Array | number[], k: number): Neighbour[] {
    if (query.length !== this.dimension) {
      throw new ApronError('invalid-input', `Query has ${query.length} values, but the index has dimension ${this.dimension}`);
    }
    checkK(k);
    const limit = Math.min(k, this.count);
    if (limit === 0) return [];
    const values = Array.isArray(query) ? query : Array.from(query);
    const result = this.graph.searchKnn(values, limit);
    return toNeighbours(result.neighbors, result.distances);
  }

  /**
   * For every row 0..count-1, its k best other rows (never itself), one search per row.
   * Needs labels 0..count-1, as `build` gives and `add` keeps when each batch starts at `count`.
   */
  topKAll(k: number, options: HnswProgressOptions = {}): TopKTable {
    checkK(k);
    const count = this.count;
    const rowK = Math.min(k, Math.max(count - 1, 0));
    const labels = this.graph.getIdsList();
    if (labels.some((label) => label >= count)) {
      throw new ApronError('invalid-input', `topKAll needs labels 0..${count - 1}, but the index has label ${Math.max(...labels)}`, {
        hint: 'Add each batch of vectors with startLabel equal to the current count.',
      });
    }

    const indices = new Int32Array(count * rowK);
    const scores = new Float64Array(count * rowK);
    const sizes = new Int32Array(count);
    for (let row = 0; row < count && rowK > 0; row++) {
      // One extra result so that dropping the row itself still leaves k.
      const result = this.graph.searchKnn(this.graph.getPoint(row), rowK + 1);
      const neighbours = toNeighbours(result.neighbors, result.distances).filter((entry) => entry.index !== row).slice(0, rowK);
      for (let n = 0; n < neighbours.length; n++) {
        indices[row * rowK + n] = neighbours[n]!.index;
        scores[row * rowK + n] = neighbours[n]!.score;
      }
      sizes[row] = neighbours.length;
      if ((row + 1) % PROGRESS_EVERY === 0 || row + 1 === count) options.onProgress?.(row + 1, count);
    }

    const neighboursOf = (row: number): Neighbour[] => {
      const out: Neighbour[] = [];
      for (let n = 0; n < (sizes[row] ?? 0); n++) out.push({ index: indices[row * rowK + n]!, score: scores[row * rowK + n]! });
      return out;
    };
    return { k: rowK, rows: count, neighboursOf };
  }

  /**
   * Returns the k points most similar to `query` among the labels that `allowed` accepts, best
   * first. The hnswlib bundled in hnswlib-node 3.0.0 (searchBaseLayerST in hnswalg.h) stops a
   * filtered search only once it has max(efSearch, k) accepted points. So it returns fewer than k
   * only when it has visited every point reachable in the graph.
   */
  searchFiltered(query: Float32Array | number[], k: number, allowed: (label: number) => boolean): Neighbour[] {
    if (query.length !== this.dimension) {
      throw new ApronError('invalid-input', `Query has ${query.length} values, but the index has dimension ${this.dimension}`);
    }
    checkK(k);
    const limit = Math.min(k, this.count);
    if (limit === 0) return [];
    const values = Array.isArray(query) ? query : Array.from(query);
    const result = this.graph.searchKnn(values, limit, allowed);
    return toNeighbours(result.neighbors, result.distances);
  }

  /** Returns the stored vector of `label` as hnswlib keeps it (normalised in the 'cosine' space). */
  vectorOf(label: number): number[] {
    return this.graph.getPoint(label);
  }

  /**
   * Writes the graph to `path` and its parameters to `<path>.json`, each through a rename.
   * `build` goes into the sidecar unchanged.
   */
  save(path: string, build?: HnswBuildRecord): void {
    const partial = `${path}.partial`;
    try {
      this.graph.writeIndexSync(partial);
      renameSync(partial, path);
    } catch (error) {
      rmSync(partial, { force: true });
      throw new ApronError('unreadable-file', `Could not write the HNSW index ${path}: ${(error as Error).message}`, {
        path,
        hint: 'Check that the folder exists and has free space.',
        cause: error,
      });
    }
    const sidecar: HnswSidecar = { format: 'apron-hnsw', version: 1, dimension: this.dimension, count: this.count, parameters: this.parameters };
    if (build !== undefined) sidecar.build = build;
    writeFileAtomic(sidecarPathFor(path), JSON.stringify(sidecar, null, 2));
  }
}

/** Returns the graph file beside an embedding version: `<id>.f32` gives `<id>.hnsw`. */
export function hnswPathFor(vectorsPath: string): string {
  return vectorsPath.replace(/\.f32$/, '') + '.hnsw';
}

export function sidecarPathFor(path: string): string {
  return `${path}.json`;
}

/** Reads and checks the sidecar `<path>.json` of a graph saved at `path`. */
export function readHnswSidecar(path: string): HnswSidecar {
  const sidecarPath = sidecarPathFor(path);
  let sidecar: HnswSidecar;
  try {
    sidecar = JSON.parse(readFileSync(sidecarPath, 'utf8')) as HnswSidecar;
  } catch (error) {
    throw new ApronError('unreadable-file', `Could not read the HNSW sidecar ${sidecarPath}: ${(error as Error).message}`, {
      path: sidecarPath,
      hint: 'Delete the .hnsw files and build the index again.',
      cause: error,
    });
  }
  if (sidecar.format !== 'apron-hnsw' || sidecar.version !== 1) {
    throw new ApronError('unreadable-file', `${sidecarPath} is not an Apron HNSW sidecar of version 1`, {
      path: sidecarPath,
      hint: 'Delete the .hnsw files and build the index again.',
    });
  }
  return sidecar;
}

/**
 * Loads the graph saved beside an embedding version when it covers all `count` rows, and otherwise
 * builds one from `vectors` and saves it there.
 */
export function openHnswForEmbedding(
  vectorsPath: string,
  vectors: Float32Array,
  dimension: number,
  parameters: Partial<HnswParameters> = {},
  options: HnswProgressOptions = {},
): HnswIndex {
  const path = hnswPathFor(vectorsPath);
  const count = vectors.length / dimension;
  if (existsSync(path) && existsSync(sidecarPathFor(path))) {
    const saved = HnswIndex.load(path);
    if (saved.count === count && saved.dimension === dimension) return saved;
  }
  const built = HnswIndex.build(vectors, dimension, parameters, options);
  built.save(path);
  return built;
}

export interface RecallReport {
  k: number;
  /** Rows used as queries. */
  queries: number;
  /** Mean over queries of |approximate top-k ∩ exact top-k| / |exact top-k|, self excluded from both. */
  recall: number;
}

/**
 * Measures recall@k of `approx` against `exact` on a sample of rows used as queries: either the
 * given row indices, or that many rows drawn without replacement with a seeded generator.
 */
export function measureRecallAtK(exact: ExactIndex, approx: HnswIndex, k: number, sampleQueries: number | number[], seed = 1): RecallReport {
  checkK(k);
  if (exact.count !== approx.count || exact.dimension !== approx.dimension) {
    throw new ApronError('invalid-input', `Exact index (${exact.count} x ${exact.dimension}) and HNSW index (${approx.count} x ${approx.dimension}) hold different vectors`);
  }
  const rows = Array.isArray(sampleQueries) ? sampleQueries : sampleRows(exact.count, sampleQueries, seed);
  let hits = 0;
  let expected = 0;
  for (const row of rows) {
    const query = exact.vectors.subarray(row * exact.dimension, (row + 1) * exact.dimension);
    const truth = exact.search(query, k + 1).filter((entry) => entry.index !== row).slice(0, k);
    const found = new Set(approx.search(query, k + 1).filter((entry) => entry.index !== row).slice(0, k).map((entry) => entry.index));
    for (const entry of truth) if (found.has(entry.index)) hits++;
    expected += truth.length;
  }
  return { k, queries: rows.length, recall: expected === 0 ? 1 : hits / expected };
}

/** Draws `size` distinct rows of 0..count-1 (all rows when fewer) with a seeded shuffle. */
export function sampleRows(count: number, size: number, seed: number): number[] {
  const all = Array.from({ length: count }, (_, row) => row);
  return new Rng(seed).shuffle(all).slice(0, Math.min(size, count));
}

/**
 * Largest N^2 * D for which all-pairs search stays exact. bench-ann.ts ran on a shared 2-core
 * machine (Node 20) twice, at load averages of about 5 and 3. ExactIndex.topKAll took 717 s and
 * 437 s for 100k x 128, so 1.8e9 to 2.9e9 units of N^2 * D per second. HNSW build plus all queries
 * took 0.64 and 0.41 ms per row. Both runs put the crossover near 9,000 rows at D = 128. At this
 * budget (10,800 rows at D = 128) exact search takes 5 to 8 s, about 1.2 times HNSW, and returns
 * the true neighbours. Both costs grow with D, but HNSW also has a fixed cost per call, so at
 * small D exact search should stay competitive longer (21,000 rows at D = 32).
 * NOTE: only D = 128 was measured.
 */
export const EXACT_ALL_PAIRS_BUDGET = 1.5e10;

export type IndexKind = 'exact' | 'hnsw';

/** Chooses exact search while all pairs fit EXACT_ALL_PAIRS_BUDGET, and HNSW above it. */
export function chooseIndex(count: number, dimension: number): IndexKind {
  checkPositiveInteger('dimension', dimension);
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ApronError('invalid-input', `Vector count must be a non-negative integer, got ${count}`);
  }
  return count * count * dimension <= EXACT_ALL_PAIRS_BUDGET ? 'exact' : 'hnsw';
}

function resolveParameters(parameters: Partial<HnswParameters>): HnswParameters {
  const resolved = { ...DEFAULT_HNSW_PARAMETERS, ...parameters };
  checkPositiveInteger('m', resolved.m);
  checkPositiveInteger('efConstruction', resolved.efConstruction);
  checkPositiveInteger('efSearch', resolved.efSearch);
  if (resolved.space !== 'ip' && resolved.space !== 'cosine') {
    throw new ApronError('invalid-input', `HNSW space must be 'ip' or 'cosine', got '${String(resolved.space)}'`);
  }
  return resolved;
}

/** Sorts hnswlib's results best first, with ties by lower label as in ExactIndex. */
function toNeighbours(labels: number[], distances: number[]): Neighbour[] {
  const out = labels.map((index, n) => ({ index, score: 1 - distances[n]! }));
  out.sort((a, b) => (ranksBefore(a.score, a.index, b.score, b.index) ? -1 : ranksBefore(b.score, b.index, a.score, a.index) ? 1 : 0));
  return out;
}

function rowArray(vectors: Float32Array, dimension: number, row: number): number[] {
  return Array.from(vectors.subarray(row * dimension, (row + 1) * dimension));
}

function checkShape(vectors: Float32Array, dimension: number): void {
  checkPositiveInteger('dimension', dimension);
  if (vectors.length % dimension !== 0) {
    throw new ApronError('invalid-input', `Vector array of length ${vectors.length} is not a whole number of rows of dimension ${dimension}`);
  }
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ApronError('invalid-input', `HNSW ${name} must be a positive integer, got ${value}`);
  }
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 0) {
    throw new ApronError('invalid-input', `k must be a non-negative integer, got ${k}`);
  }
}

function assertUnitRows(vectors: Float32Array, dimension: number): void {
  const rows = vectors.length / dimension;
  for (let row = 0; row < rows; row++) {
    let sumOfSquares = 0;
    for (let d = 0; d < dimension; d++) sumOfSquares += vectors[row * dimension + d]! ** 2;
    const norm = Math.sqrt(sumOfSquares);
    if (!(Math.abs(norm - 1) <= UNIT_NORM_TOLERANCE)) {
      throw new ApronError('invalid-input', `Vector row ${row} has L2 norm ${norm}, but the 'ip' space needs unit vectors`, {
        hint: "Normalise the rows first (normaliseRows), or build with space 'cosine'.",
      });
    }
  }
}
