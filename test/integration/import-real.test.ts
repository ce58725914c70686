// Import the real Nordland and KITTI BEV folders and check counts, first and last samples, and
// poses against values read by hand from pose.txt.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLayout, importDataset, type ImportProgress } from '../../src/dataset/importers/index.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const outRoot = mkdtempSync(join(tmpdir(), 'apron-import-real-'));
afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

describe.skipIf(!hasSharedData('nordland-summer-winter'))('Nordland import', () => {
  const source = sharedDataPath('nordland-summer-winter');

  it('is detected from the folder', () => {
    expect(detectLayout(source)).toBe('nordland');
  });

  it('imports both seasons with shared places', async () => {
    const progress: ImportProgress[] = [];
    const result = await importDataset({ source, outDir: join(outRoot, 'nordland'), onProgress: (p) => progress.push(p) });
    const { manifest, root } = result.dataset;

    expect(result.layout).toBe('nordland');
    expect(result.counts).toEqual({ samples: 7152, summer: 3576, winter: 3576, paired: 3576, summerOnly: 0, winterOnly: 0 });
    expect(result.warnings).toEqual([]);
    expect(root).toBe(source);
    expect(manifest.name).toBe('nordland-summer-winter');
    expect(manifest.conditionFields).toEqual(['season']);
    expect(manifest.source?.importer).toBe('nordland');

    const first = manifest.samples[0]!;
    expect(first.sampleId).toBe('summer/00010');
    expect(first.sequenceId).toBe('summer');
    expect(first.season).toBe('summer');
    expect(first.placeId).toBe('00010');
    expect(first.timestampNs).toBe(10_000_000_000n);
    expect(first.cameras).toEqual([{ name: 'front', path: 'summer/images-00010.png', width: 64, height: 32 }]);

    const last = manifest.samples[7151]!;
    expect(last.sampleId).toBe('winter/35760');
    expect(last.season).toBe('winter');
    expect(last.placeId).toBe('35760');
    expect(last.timestampNs).toBe(35_760_000_000_000n);

    // The winter frame of a place follows all 3,576 summer frames.
    expect(manifest.samples[3576]!.placeId).toBe(first.placeId);

    const checks = progress.filter((p) => p.stage === 'checking-images');
    expect(checks[checks.length - 1]).toEqual({ stage: 'checking-images', done: 7152, total: 7152 });
    expect(progress[progress.length - 1]).toEqual({ stage: 'writing', done: 1, total: 1 });
  });
});

describe.skipIf(!hasSharedData('kitti-bev-revisits', '00'))('KITTI BEV import', () => {
  const sequence = sharedDataPath('kitti-bev-revisits', '00');

  it('is detected from a sequence folder and from its parent', () => {
    expect(detectLayout(sequence)).toBe('kitti-bev');
    expect(detectLayout(sharedDataPath('kitti-bev-revisits'))).toBe('kitti-bev');
  });

  it('imports sequence 00 with poses', async () => {
    const result = await importDataset({ source: sequence, outDir: join(outRoot, 'kitti-00') });
    const samples = result.dataset.manifest.samples;

    expect(result.layout).toBe('kitti-bev');
    expect(result.counts).toEqual({ samples: 4541, '00': 4541 });
    expect(result.warnings).toEqual([]);
    expect(result.dataset.root).toBe(sequence);

    const first = samples[0]!;
    expect(first.sampleId).toBe('00/000000');
    expect(first.sequenceId).toBe('00');
    expect(first.site).toBe('kitti-00');
    expect(first.timestampNs).toBe(0n);
    expect(first.bev).toEqual([{ name: 'bev', path: 'imgs/000000.png', width: 151, height: 151, metresPerPixel: 0.4, frame: 'ego' }]);

    // Scan 1, line 2 of pose.txt: values 4, 8, 12 are the translation; yaw = atan2(value 5, value 1).
    const scan1 = samples[1]!;
    expect(scan1.timestampNs).toBe(100_000_000n);
    expect(scan1.pose!.x).toBe(8.587678402508788222e-1);
    expect(scan1.pose!.y).toBe(4.651645409095304246e-2);
    expect(scan1.pose!.z).toBe(2.224040087625295953e-2);
    expect(scan1.pose!.yaw).toBe(Math.atan2(2.061276651318103958e-3, 9.999970919755979404e-1));
    // By hand: t = 0.0020612767 / 0.9999971 = 0.0020612827, atan(t) = t - t^3 / 3 = 0.0020612797 rad.
    expect(scan1.pose!.yaw).toBeCloseTo(0.0020612797, 9);

    const last = samples[4540]!;
    expect(last.sampleId).toBe('00/004540');
    expect(last.timestampNs).toBe(454_000_000_000n);
    expect(last.pose!.x).toBeCloseTo(96.98126, 5);
    expect(last.pose!.y).toBeCloseTo(5.58822, 5);
  });

  it.skipIf(!hasSharedData('kitti-bev-revisits', '05'))('imports the parent folder as one dataset', async () => {
    const parent = sharedDataPath('kitti-bev-revisits');
    // Headers only here: the decode of these files is covered by the test above.
    const result = await importDataset({ source: parent, outDir: join(outRoot, 'kitti-all'), imageCheck: 'header' });
    const samples = result.dataset.manifest.samples;

    expect(result.counts).toEqual({ samples: 7302, '00': 4541, '05': 2761 });
    expect(result.dataset.root).toBe(parent);
    expect(samples[123]!.sampleId).toBe('00/000123');
    expect(samples[123]!.bev[0]!.path).toBe('00/imgs/000123.png');
    expect(samples[4541]!.sampleId).toBe('05/000000');
    expect(samples[4541]!.site).toBe('kitti-05');
    expect(samples[7301]!.sampleId).toBe('05/002760');
    expect(result.dataset.indexOf.get('05/000100')).toBe(4641);
  });
});
