/**
 * Export of the mask for training code elsewhere, in two files (docs/mask-format.md):
 *
 * - a versioned JSON document with the rules, the decision pairs, the transitive groups of `same`
 *   decisions, their conflicts and counts;
 * - optionally an explicit CSV of every masked pair, `sample_a,sample_b,reason`, with the rules
 *   expanded over the manifest's samples and every pair inside a group.
 *
 * Rules are expanded through indexes (sequences sorted by time, place ids, a grid of cells one
 * radius wide) instead of testing all n^2/2 pairs, which for 100,000 samples would be 5e9 tests.
 * Each candidate pair is then judged by `matchingRule`, so the CSV agrees with training's own
 * masking. A pair is written only by the generator of the first rule that matches it. That way
 * every masked pair appears exactly once without keeping a set of pairs in memory.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { ApronError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { createLogger } from '../core/log.js';
import { readManifest, type LoadedDataset } from '../dataset/manifest-io.js';
import { canonicalPair, compareSampleIds, type SamplePair } from '../store/pair-order.js';
import type { Store } from '../store/index.js';
import { buildDecisionGroups, type PairRef } from './groups.js';
import { matchingRule, maskRulesSchema, toRuleSubject, type MaskRules, type MaskRulesInput, type RuleSubject } from './rules.js';

const log = createLogger('mask');

export const MASK_FORMAT = 'apron-mask';
export const MASK_FORMAT_VERSION = 1;

/** Why a pair is masked: a rule name from rules.ts, or how reviewers' decisions mask it. */
export type MaskReason =
  | 'same-sequence-time'
  | 'same-place'
  | 'pose-radius'
  | 'decision-same'
  | 'decision-group'
  | 'decision-conflict';

export const MASK_REASONS: readonly MaskReason[] = [
  'same-sequence-time',
  'same-place',
  'pose-radius',
  'decision-same',
  'decision-group',
  'decision-conflict',
];

export interface MaskDocument {
  format: typeof MASK_FORMAT;
  version: typeof MASK_FORMAT_VERSION;
  datasetId: string;
  datasetName: string;
  createdAt: string;
  /** The rules with their defaults filled in. */
  rules: MaskRules;
  /** Pairs whose latest decision is `same` or `different`, each as [a, b] with a < b. */
  decisions: { same: [string, string][]; different: [string, string][] };
  /** Groups of two or more samples joined by `same` decisions, each sorted, ordered by first member. */
  groups: string[][];
  /** `different` pairs whose samples are in one group. */
  conflicts: [string, string][];
  /** Path of the pairs CSV relative to this document's folder, or null when none was written. */
  pairsFile: string | null;
  counts: MaskCounts;
}

export interface MaskCounts {
  samples: number;
  sameDecisions: number;
  differentDecisions: number;
  groups: number;
  groupedSamples: number;
  conflicts: number;
  /** Sample ids named by decisions but missing from the manifest. */
  unknownSamples: number;
  /** Masked pairs in total and per reason; each pair counts once, under its first reason. */
  maskedPairs: number;
  maskedPairsByReason: Record<MaskReason, number>;
}

export interface MaskExportInput {
  datasetId: string;
  dataset: LoadedDataset;
  rules: MaskRulesInput;
  /** Pairs whose latest decision is `same`, in either order. */
  same: readonly PairRef[];
  /** Pairs whose latest decision is `different`, in either order. */
  different: readonly PairRef[];
  /** Output path of the JSON document. */
  jsonPath: string;
  /** Output path of the CSV of masked pairs. No CSV is written when it is omitted. */
  pairsPath?: string;
  /** Time written as `createdAt`; now when omitted. */
  now?: Date;
}

export interface MaskExportResult {
  document: MaskDocument;
  jsonPath: string;
  pairsPath: string | null;
}

/**
 * Writes the mask document and, when `pairsPath` is given, the CSV of masked pairs. Both files are
 * written atomically: a reader sees the old file or the complete new one.
 */
export function exportMask(input: MaskExportInput): MaskExportResult {
  const rules = parseRules(input.rules);
  const same = input.same.map((pair) => toPair(pair, 'same'));
  const different = input.different.map((pair) => toPair(pair, 'different'));
  const decisionGroups = buildDecisionGroups(same, different);
  const groups = [...decisionGroups.groups.values()]
    .map((members) => [...members].sort(compareSampleIds))
    .sort((left, right) => compareSampleIds(left[0] ?? '', right[0] ?? ''));
  const conflicts = sortedTuples(decisionGroups.conflicts);

  const subjects = new Map<string, RuleSubject>();
  for (const sample of input.dataset.manifest.samples) subjects.set(sample.sampleId, toRuleSubject(sample));
  const unknownSamples = countUnknownSamples([...same, ...different], subjects);
  if (unknownSamples > 0) {
    log.warn(`dataset ${input.datasetId}: decisions name ${unknownSamples} sample(s) missing from the manifest; their pairs are exported as decided`);
  }

  const byReason = Object.fromEntries(MASK_REASONS.map((reason) => [reason, 0])) as Record<MaskReason, number>;
  const writer = input.pairsPath === undefined ? undefined : new AtomicTextWriter(input.pairsPath);
  try {
    writer?.write('sample_a,sample_b,reason\n');
    const emit = (first: string, second: string, reason: MaskReason): void => {
      byReason[reason]++;
      if (writer === undefined) return;
      const { a, b } = canonicalPair(first, second);
      writer.write(`${csvField(a)},${csvField(b)},${reason}\n`);
    };
    expandRulePairs(input.dataset, rules, emit);
    expandGroupPairs(groups, subjects, rules, { same, different }, emit);
    writer?.commit();
  } catch (error) {
    writer?.abort();
    throw error;
  }

  const maskedPairs = MASK_REASONS.reduce((sum, reason) => sum + byReason[reason], 0);
  const document: MaskDocument = {
    format: MASK_FORMAT,
    version: MASK_FORMAT_VERSION,
    datasetId: input.datasetId,
    datasetName: input.dataset.manifest.name,
    createdAt: (input.now ?? new Date()).toISOString(),
    rules,
    decisions: { same: sortedTuples(same), different: sortedTuples(different) },
    groups,
    conflicts,
    pairsFile: input.pairsPath === undefined ? null : relative(dirname(resolve(input.jsonPath)), resolve(input.pairsPath)),
    counts: {
      samples: input.dataset.manifest.samples.length,
      sameDecisions: same.length,
      differentDecisions: different.length,
      groups: groups.length,
      groupedSamples: groups.reduce((sum, members) => sum + members.length, 0),
      conflicts: conflicts.length,
      unknownSamples,
      maskedPairs,
      maskedPairsByReason: byReason,
    },
  };
  writeFileAtomic(input.jsonPath, JSON.stringify(document, null, 2) + '\n');
  log.info(`exported the mask of dataset ${input.datasetId}: ${maskedPairs} masked pairs, ${groups.length} groups, ${conflicts.length} conflicts`);

  return { document, jsonPath: input.jsonPath, pairsPath: input.pairsPath ?? null };
}

export interface MaskExportFromStoreOptions {
  rules: MaskRulesInput;
  jsonPath: string;
  pairsPath?: string;
  now?: Date;
}

/** Exports the mask of a stored dataset: its manifest, and the decisions that count on each pair. */
export function exportMaskFromStore(store: Store, datasetId: string, options: MaskExportFromStoreOptions): MaskExportResult {
  const record = store.getDataset(datasetId);
  const input: MaskExportInput = {
    datasetId,
    dataset: readManifest(record.manifestPath),
    rules: options.rules,
    same: store.listDecisionPairs(datasetId, 'same'),
    different: store.listDecisionPairs(datasetId, 'different'),
    jsonPath: options.jsonPath,
  };
  if (options.pairsPath !== undefined) input.pairsPath = options.pairsPath;
  if (options.now !== undefined) input.now = options.now;
  return exportMask(input);
}

type Emit = (first: string, second: string, reason: MaskReason) => void;

/** Emits every pair that a rule masks, once, under the first rule that matches it. */
function expandRulePairs(dataset: LoadedDataset, rules: MaskRules, emit: Emit): void {
  const samples = dataset.manifest.samples;
  const subjects = samples.map(toRuleSubject);
  const emitIf = (i: number, j: number, reason: MaskReason): void => {
    const left = subjects[i];
    const right = subjects[j];
    if (left === undefined || right === undefined) return;
    if (matchingRule(left, right, rules) === reason) emit(idAt(samples, i), idAt(samples, j), reason);
  };

  const window = rules.sameSequenceWithinSeconds;
  if (window !== undefined) {
    for (const members of groupIndices(subjects, (subject) => subject.sequenceId)) {
      // Stable sort by time; ties keep manifest order.
      members.sort((i, j) => timeAt(subjects, i) - timeAt(subjects, j) || i - j);
      for (let start = 0; start < members.length; start++) {
        const i = members[start] ?? 0;
        for (let next = start + 1; next < members.length; next++) {
          const j = members[next] ?? 0;
          if (timeAt(subjects, j) - timeAt(subjects, i) > window) break;
          emitIf(i, j, 'same-sequence-time');
        }
      }
    }
  }

  if (rules.samePlace) {
    for (const members of groupIndices(subjects, (subject) => subject.placeId)) {
      for (let first = 0; first < members.length; first++) {
        for (let second = first + 1; second < members.length; second++) {
          emitIf(members[first] ?? 0, members[second] ?? 0, 'same-place');
        }
      }
    }
  }

  const radius = rules.poseRadiusMetres;
  if (radius !== undefined) {
    // Two poses within `radius` lie in the same or adjacent cells of a grid `radius` wide.
    const cellOf = (subject: RuleSubject, dx: number, dy: number): string | undefined =>
      subject.pose === undefined
        ? undefined
        : JSON.stringify([subject.site ?? null, Math.floor(subject.pose.x / radius) + dx, Math.floor(subject.pose.y / radius) + dy]);
    const cells = new Map<string, number[]>();
    subjects.forEach((subject, index) => {
      const cell = cellOf(subject, 0, 0);
      if (cell === undefined) return;
      const members = cells.get(cell) ?? [];
      members.push(index);
      cells.set(cell, members);
    });

    subjects.forEach((subject, i) => {
      if (subject.pose === undefined) return;
      const neighbours: number[] = [];
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          for (const j of cells.get(cellOf(subject, dx, dy) ?? '') ?? []) if (j > i) neighbours.push(j);
        }
      }
      neighbours.sort((left, right) => left - right);
      for (const j of neighbours) emitIf(i, j, 'pose-radius');
    });
  }
}

/**
 * Emits every pair inside a group that no rule masks (rule pairs were emitted already). A pair
 * with a `different` decision is a conflict. It stays masked because its group makes the two the
 * same place, and its reason lets training code drop it instead.
 */
function expandGroupPairs(
  groups: readonly string[][],
  subjects: ReadonlyMap<string, RuleSubject>,
  rules: MaskRules,
  decisions: { same: readonly SamplePair[]; different: readonly SamplePair[] },
  emit: Emit,
): void {
  const sameKeys = new Set(decisions.same.map(pairKey));
  const differentKeys = new Set(decisions.different.map(pairKey));

  for (const members of groups) {
    for (let first = 0; first < members.length; first++) {
      for (let second = first + 1; second < members.length; second++) {
        const a = members[first] ?? '';
        const b = members[second] ?? '';
        const left = subjects.get(a);
        const right = subjects.get(b);
        if (left !== undefined && right !== undefined && matchingRule(left, right, rules) !== undefined) continue;

        const key = pairKey(canonicalPair(a, b));
        const reason: MaskReason = differentKeys.has(key) ? 'decision-conflict' : sameKeys.has(key) ? 'decision-same' : 'decision-group';
        emit(a, b, reason);
      }
    }
  }
}

/** Indices of subjects grouped by a key, groups in order of first appearance; subjects without a key are left out. */
function groupIndices(subjects: readonly RuleSubject[], keyOf: (subject: RuleSubject) => string | undefined): number[][] {
  const groups = new Map<string, number[]>();
  subjects.forEach((subject, index) => {
    const key = keyOf(subject);
    if (key === undefined) return;
    const members = groups.get(key) ?? [];
    members.push(index);
    groups.set(key, members);
  });
  return [...groups.values()];
}

function timeAt(subjects: readonly RuleSubject[], index: number): number {
  return subjects[index]?.timeSeconds ?? 0;
}

function idAt(samples: LoadedDataset['manifest']['samples'], index: number): string {
  return samples[index]?.sampleId ?? '';
}

function parseRules(rules: MaskRulesInput): MaskRules {
  const parsed = maskRulesSchema.safeParse(rules);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ApronError('invalid-input', `Invalid mask rules: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'unknown problem'}.`, {
      hint: 'sameSequenceWithinSeconds and poseRadiusMetres are numbers of seconds and metres; samePlace is true or false.',
    });
  }
  return parsed.data;
}

function toPair(pair: PairRef, verdict: string): SamplePair {
  if (pair.a === pair.b || pair.a === '' || pair.b === '') {
    throw new ApronError('invalid-input', `A ${verdict} decision pairs "${pair.a}" with "${pair.b}"; a pair needs two different samples.`);
  }
  return canonicalPair(pair.a, pair.b);
}

function tuple(pair: SamplePair): [string, string] {
  return [pair.a, pair.b];
}

function sortedTuples(pairs: readonly SamplePair[]): [string, string][] {
  return [...pairs]
    .sort((left, right) => compareSampleIds(left.a, right.a) || compareSampleIds(left.b, right.b))
    .map(tuple);
}

/** Builds a map key for a canonical pair, joined by a NUL character, which sample ids do not contain. */
function pairKey(pair: SamplePair): string {
  return `${pair.a}\u0000${pair.b}`;
}

function countUnknownSamples(pairs: readonly SamplePair[], subjects: ReadonlyMap<string, RuleSubject>): number {
  const unknown = new Set<string>();
  for (const pair of pairs) {
    if (!subjects.has(pair.a)) unknown.add(pair.a);
    if (!subjects.has(pair.b)) unknown.add(pair.b);
  }
  return unknown.size;
}

/** Quotes a CSV field as RFC 4180 does (quotes doubled) when it contains a comma, quote or line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writer of a text file in chunks to a temporary file beside the target, which is then flushed
 * and renamed over it. It works like `writeFileAtomic` without keeping the whole text in memory,
 * because a pair list can exceed the largest string V8 allows (about 512 MB in Node 20).
 */
class AtomicTextWriter {
  private readonly temporary: string;
  private readonly fd: number;
  private chunks: string[] = [];
  private buffered = 0;
  private open = true;

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.temporary = `${path}.tmp-${process.pid}-${Date.now()}`;
    this.fd = openSync(this.temporary, 'w');
  }

  write(text: string): void {
    this.chunks.push(text);
    this.buffered += text.length;
    // Flushing about every million characters keeps memory flat and the number of write calls low.
    if (this.buffered >= 1 << 20) this.flush();
  }

  commit(): void {
    this.flush();
    fsyncSync(this.fd);
    this.close();
    renameSync(this.temporary, this.path);
  }

  abort(): void {
    this.close();
    rmSync(this.temporary, { force: true });
  }

  /** Closes the descriptor once; closing a number twice could close a file opened since under the same number. */
  private close(): void {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    const bytes = Buffer.from(this.chunks.join(''), 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
    this.chunks = [];
    this.buffered = 0;
  }
}
