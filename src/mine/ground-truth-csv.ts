/**
 * Read a ground-truth pair list such as KITTI `revisit_pairs_10m_gap300.csv`: a header row with
 * columns `i` and `j` (scan indices within one sequence) and any further columns, which are ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ApronError } from '../core/errors.js';
import { PairSet } from './pairs.js';

export interface IndexPair {
  i: number;
  j: number;
}

export function readPairCsv(path: string): IndexPair[] {
  if (!existsSync(path)) {
    throw new ApronError('not-found', `Ground-truth pair file not found: ${path}`, {
      path,
      hint: 'Check the path; the file needs a header with columns i and j.',
    });
  }
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const iColumn = header.indexOf('i');
  const jColumn = header.indexOf('j');
  if (iColumn < 0 || jColumn < 0) {
    throw new ApronError('invalid-input', `Ground-truth pair file ${path} has no columns "i" and "j" in its header (found: ${header.join(', ')})`, {
      path,
      hint: 'The first line must name the columns, for example "i,j,dist_xy_m,dyaw_deg".',
    });
  }

  const pairs: IndexPair[] = [];
  for (let lineIndex = 1; lineIndex < lines.length; lineIndex++) {
    const line = lines[lineIndex]!;
    if (line.trim() === '') continue;
    const fields = line.split(',');
    const i = parseIndex(fields[iColumn]);
    const j = parseIndex(fields[jColumn]);
    if (i === undefined || j === undefined) {
      throw new ApronError('invalid-input', `Ground-truth pair file ${path}, line ${lineIndex + 1}: expected two non-negative integer indices, got "${line}"`, {
        path,
        hint: 'Fix or remove that line.',
      });
    }
    pairs.push({ i, j });
  }
  return pairs;
}

function parseIndex(field: string | undefined): number | undefined {
  if (field === undefined || !/^\s*\d+\s*$/.test(field)) return undefined;
  return Number(field);
}

/** Convert index pairs to sample-id pairs, for `precisionAtK(..., (a, b) => set.has(a, b), ...)`. */
export function toPairSet(pairs: readonly IndexPair[], sampleIdOf: (index: number) => string): PairSet {
  const set = new PairSet();
  for (const pair of pairs) set.add(sampleIdOf(pair.i), sampleIdOf(pair.j));
  return set;
}
