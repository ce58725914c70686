import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { readManifest, writeManifest, type LoadedDataset } from '../../src/dataset/manifest-io.js';
import type { ManifestInput, SampleInput } from '../../src/dataset/manifest.js';
import { exportMask, exportMaskFromStore, MASK_FORMAT, type MaskDocument } from '../../src/mask/export.js';
import { matchingRule, toRuleSubject, type MaskRulesInput } from '../../src/mask/rules.js';
import { canonicalPair, openStore } from '../../src/store/index.js';

const SECOND = 1_000_000_000;

function sample(sampleId: string, sequenceId: string, seconds: number, extra: Partial<SampleInput> = {}): SampleInput {
  return { sampleId, sequenceId, timestampNs: String(BigInt(seconds) * BigInt(SECOND)), ...extra };
}

/**
 * Eight samples. By the rules below (10 s, same place, 3 m) exactly three pairs are rule-masked:
 * a1-a2 (5 s apart in S1), b1-b2 (place P, 100 s apart) and a1-b1 (1.41 m apart at site x).
 * c1 is 2 m from a2 but at another site.
 */
const HAND_MADE: SampleInput[] = [
  sample('a1', 'S1', 0, { site: 'x', pose: { x: 0, y: 0, yaw: 0 } }),
  sample('a2', 'S1', 5, { site: 'x', pose: { x: 100, y: 0, yaw: 0 } }),
  sample('a3', 'S1', 20, { site: 'x', pose: { x: 200, y: 0, yaw: 0 } }),
  sample('b1', 'S2', 0, { site: 'x', placeId: 'P', pose: { x: 1, y: 1, yaw: 0 } }),
  sample('b2', 'S2', 100, { placeId: 'P' }),
  sample('c1', 'S3', 0, { site: 'y', pose: { x: 100, y: 2, yaw: 0 } }),
  sample('c2', 'S3', 1000),
  sample('c3', 'S3', 2000),
];

const RULES: MaskRulesInput = { sameSequenceWithinSeconds: 10, samePlace: true, poseRadiusMetres: 3 };

/** Groups {a1, a2, b2} and {a3, c1, c2}; the `different` pair a3-c2 lies inside the second group. */
const SAME = [
  { a: 'a3', b: 'c1' },
  { a: 'c1', b: 'c2' },
  { a: 'b2', b: 'a1' },
  { a: 'a2', b: 'a1' },
];
const DIFFERENT = [
  { a: 'c2', b: 'a3' },
  { a: 'a2', b: 'c3' },
];

function manifestOf(samples: SampleInput[]): ManifestInput {
  return { format: 'apron-manifest', version: 1, name: 'Hand made', root: '.', samples };
}

describe('exportMask', () => {
  let dir: string;
  let dataset: LoadedDataset;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-mask-'));
    dataset = readManifest(writeManifest(join(dir, 'apron-manifest.json'), manifestOf(HAND_MADE)));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('pairs CSV matches the hand-computed list', () => {
    const pairsPath = join(dir, 'out', 'mask.pairs.csv');
    exportMask({ datasetId: 'hand', dataset, rules: RULES, same: SAME, different: DIFFERENT, jsonPath: join(dir, 'out', 'mask.json'), pairsPath });

    expect(readFileSync(pairsPath, 'utf8')).toBe(
      [
        'sample_a,sample_b,reason',
        'a1,a2,same-sequence-time',
        'b1,b2,same-place',
        'a1,b1,pose-radius',
        'a1,b2,decision-same',
        'a2,b2,decision-group',
        'a3,c1,decision-same',
        'a3,c2,decision-conflict',
        'c1,c2,decision-same',
        '',
      ].join('\n'),
    );
  });

  it('JSON document matches the hand-computed one', () => {
    const jsonPath = join(dir, 'mask.json');
    const result = exportMask({
      datasetId: 'hand',
      dataset,
      rules: RULES,
      same: SAME,
      different: DIFFERENT,
      jsonPath,
      pairsPath: join(dir, 'mask.pairs.csv'),
      now: new Date(Date.UTC(2025, 2, 1, 12, 0, 0)),
    });

    const expected: MaskDocument = {
      format: MASK_FORMAT,
      version: 1,
      datasetId: 'hand',
      datasetName: 'Hand made',
      createdAt: '2025-03-01T12:00:00.000Z',
      rules: { sameSequenceWithinSeconds: 10, samePlace: true, poseRadiusMetres: 3 },
      decisions: {
        same: [
          ['a1', 'a2'],
          ['a1', 'b2'],
          ['a3', 'c1'],
          ['c1', 'c2'],
        ],
        different: [
          ['a2', 'c3'],
          ['a3', 'c2'],
        ],
      },
      groups: [
        ['a1', 'a2', 'b2'],
        ['a3', 'c1', 'c2'],
      ],
      conflicts: [['a3', 'c2']],
      pairsFile: 'mask.pairs.csv',
      counts: {
        samples: 8,
        sameDecisions: 4,
        differentDecisions: 2,
        groups: 2,
        groupedSamples: 6,
        conflicts: 1,
        unknownSamples: 0,
        maskedPairs: 8,
        maskedPairsByReason: {
          'same-sequence-time': 1,
          'same-place': 1,
          'pose-radius': 1,
          'decision-same': 3,
          'decision-group': 1,
          'decision-conflict': 1,
        },
      },
    };
    expect(result.document).toEqual(expected);
    expect(JSON.parse(readFileSync(jsonPath, 'utf8'))).toEqual(expected);
    expect(readdirSync(dir).sort()).toEqual(['apron-manifest.json', 'mask.json', 'mask.pairs.csv']);
  });

  it('rules alone, without a CSV', () => {
    const result = exportMask({ datasetId: 'hand', dataset, rules: { samePlace: false }, same: [], different: [], jsonPath: join(dir, 'm.json') });
    expect(result.pairsPath).toBeNull();
    expect(result.document.pairsFile).toBeNull();
    expect(result.document.rules).toEqual({ samePlace: false });
    expect(result.document.counts.maskedPairs).toBe(0);
    expect(result.document.groups).toEqual([]);
  });

  it('ids with commas and quotes are quoted', () => {
    const quirky = readManifest(
      writeManifest(join(dir, 'quirky.json'), manifestOf([sample('x,1', 'S', 0), sample('say "hi"', 'S', 1), sample('plain', 'T', 0)])),
    );
    const pairsPath = join(dir, 'quirky.csv');
    exportMask({
      datasetId: 'quirky',
      dataset: quirky,
      rules: { sameSequenceWithinSeconds: 2 },
      same: [{ a: 'plain', b: 'x,1' }],
      different: [],
      jsonPath: join(dir, 'quirky.json.out'),
      pairsPath,
    });
    expect(readFileSync(pairsPath, 'utf8').split('\n')).toEqual([
      'sample_a,sample_b,reason',
      '"say ""hi""","x,1",same-sequence-time',
      'plain,"x,1",decision-same',
      '',
    ]);
  });

  it('decisions on unknown samples are counted', () => {
    const result = exportMask({
      datasetId: 'hand',
      dataset,
      rules: {},
      same: [{ a: 'a1', b: 'ghost' }],
      different: [],
      jsonPath: join(dir, 'm.json'),
    });
    expect(result.document.counts.unknownSamples).toBe(1);
    expect(result.document.counts.maskedPairsByReason['decision-same']).toBe(1);
  });

  it('invalid rules and pairs are rejected', () => {
    const base = { datasetId: 'hand', dataset, same: [], different: [], jsonPath: join(dir, 'm.json') };
    expect(() => exportMask({ ...base, rules: { poseRadiusMetres: -1 } })).toThrow(/^Invalid mask rules: poseRadiusMetres: /);
    expect(() => exportMask({ ...base, rules: {}, same: [{ a: 'a1', b: 'a1' }] })).toThrow(
      'A same decision pairs "a1" with "a1"; a pair needs two different samples.',
    );
    expect(readdirSync(dir)).toEqual(['apron-manifest.json']);
  });

  it('rule expansion equals the all-pairs check', () => {
    // 400 samples from a fixed seed: 6 sequences, times within 600 s, 30 places on a third of the
    // samples, poses on 3/4 of them over a 60 m square at two sites.
    const rng = new Rng(20250301);
    const samples: SampleInput[] = [];
    for (let i = 0; i < 400; i++) {
      const extra: Partial<SampleInput> = {};
      if (rng.next() < 1 / 3) extra.placeId = `p${rng.int(30)}`;
      if (rng.next() < 3 / 4) extra.pose = { x: rng.next() * 60, y: rng.next() * 60, yaw: 0 };
      if (rng.next() < 1 / 2) extra.site = 'north';
      samples.push({ sampleId: `s${i}`, sequenceId: `seq${rng.int(6)}`, timestampNs: Math.floor(rng.next() * 600 * SECOND), ...extra });
    }
    const random = readManifest(writeManifest(join(dir, 'random.json'), manifestOf(samples)));
    const rules: MaskRulesInput = { sameSequenceWithinSeconds: 4, samePlace: true, poseRadiusMetres: 2.5 };
    const pairsPath = join(dir, 'random.csv');
    const result = exportMask({ datasetId: 'random', dataset: random, rules, same: [], different: [], jsonPath: join(dir, 'random.mask.json'), pairsPath });

    const expected = new Map<string, string>();
    const subjects = random.manifest.samples.map(toRuleSubject);
    const parsedRules = { sameSequenceWithinSeconds: 4, samePlace: true, poseRadiusMetres: 2.5 };
    for (let i = 0; i < subjects.length; i++) {
      for (let j = i + 1; j < subjects.length; j++) {
        const reason = matchingRule(subjects[i]!, subjects[j]!, parsedRules);
        if (reason === undefined) continue;
        const { a, b } = canonicalPair(samples[i]!.sampleId, samples[j]!.sampleId);
        expected.set(`${a},${b}`, reason);
      }
    }

    const lines = readFileSync(pairsPath, 'utf8').trimEnd().split('\n').slice(1);
    const actual = new Map(lines.map((line) => [line.slice(0, line.lastIndexOf(',')), line.slice(line.lastIndexOf(',') + 1)]));
    expect(lines.length).toBe(actual.size);
    expect(actual).toEqual(expected);
    expect(result.document.counts.maskedPairs).toBe(expected.size);
    // Each rule masks some pairs here, so each generator was exercised.
    const reasons = new Set(expected.values());
    expect([...reasons].sort()).toEqual(['pose-radius', 'same-place', 'same-sequence-time']);
  });
});

describe('exportMaskFromStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'apron-mask-store-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the decisions that count', () => {
    const manifestPath = writeManifest(join(dir, 'apron-manifest.json'), manifestOf(HAND_MADE));
    const store = openStore(':memory:');
    store.addDataset({ datasetId: 'hand', name: 'Hand made', manifestPath, root: dir, sampleCount: HAND_MADE.length });
    const record = (a: string, b: string, verdict: 'same' | 'different' | 'unsure') =>
      store.recordDecision({ datasetId: 'hand', sampleA: a, sampleB: b, verdict, reviewer: 'ann' });
    record('a3', 'c1', 'same');
    record('c1', 'c2', 'different');
    record('c1', 'c2', 'same');
    record('a3', 'c2', 'different');
    record('b1', 'c3', 'unsure');

    const result = exportMaskFromStore(store, 'hand', { rules: { samePlace: false }, jsonPath: join(dir, 'mask.json'), pairsPath: join(dir, 'mask.csv') });
    store.close();

    expect(result.document.decisions).toEqual({
      same: [
        ['a3', 'c1'],
        ['c1', 'c2'],
      ],
      different: [['a3', 'c2']],
    });
    expect(result.document.groups).toEqual([['a3', 'c1', 'c2']]);
    expect(result.document.conflicts).toEqual([['a3', 'c2']]);
    expect(readFileSync(join(dir, 'mask.csv'), 'utf8')).toBe(
      'sample_a,sample_b,reason\na3,c1,decision-same\na3,c2,decision-conflict\nc1,c2,decision-same\n',
    );
  });
});
