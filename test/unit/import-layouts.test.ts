// Importers on small folders built here from generated PNGs: layouts, counts, warnings and the
// errors for bad input. Each error must name the file and the problem.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ApronError } from '../../src/core/errors.js';
import { detectLayout, importDataset, type ImportOptions } from '../../src/dataset/importers/index.js';
import { hasSharedData, sharedDataPath } from '../helpers/shared-data.js';

const tempRoot = mkdtempSync(join(tmpdir(), 'apron-import-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

let folderCount = 0;
function freshFolder(): string {
  const path = join(tempRoot, `case-${folderCount++}`);
  mkdirSync(path, { recursive: true });
  return path;
}

/** Write a grey PNG whose pixels all have `value`. */
async function writePng(path: string, width: number, height: number, value = 128): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  const pixels = Buffer.alloc(width * height, value);
  await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toFile(path);
}

function truncate(path: string, keepBytes: number): void {
  writeFileSync(path, readFileSync(path).subarray(0, keepBytes));
}

/** Format one pose line: a rotation by `yaw` about z and the translation (x, y, z). */
function poseLine(x: number, y: number, z: number, yaw = 0): string {
  const c = Math.cos(yaw);
  const s = Math.sin(yaw);
  return [c, -s, 0, x, s, c, 0, y, 0, 0, 1, z].join(' ');
}

async function makeNordland(summerFrames: number[], winterFrames: number[]): Promise<string> {
  const folder = freshFolder();
  for (const frame of summerFrames) await writePng(join(folder, 'summer', `images-${String(frame).padStart(5, '0')}.png`), 8, 4);
  for (const frame of winterFrames) await writePng(join(folder, 'winter', `images-${String(frame).padStart(5, '0')}.png`), 8, 4);
  return folder;
}

async function makeKittiSequence(folder: string, scans: number[], poseLines: string[], size = 151): Promise<string> {
  for (const scan of scans) await writePng(join(folder, 'imgs', `${String(scan).padStart(6, '0')}.png`), size, size);
  writeFileSync(join(folder, 'pose.txt'), poseLines.join('\n') + '\n');
  return folder;
}

async function importError(options: Omit<ImportOptions, 'outDir'>): Promise<ApronError> {
  try {
    await importDataset({ ...options, outDir: freshFolder() });
  } catch (error) {
    expect(error).toBeInstanceOf(ApronError);
    return error as ApronError;
  }
  throw new Error('import succeeded but an error was expected');
}

describe('detectLayout', () => {
  it('rejects a path that does not exist', () => {
    expect(() => detectLayout(join(tempRoot, 'absent'))).toThrow(/Dataset path not found: .*absent/);
  });

  it('rejects a folder of no known layout', () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'notes.txt'), 'hello');
    expect(() => detectLayout(folder)).toThrow(/Cannot tell the layout of .*case-/);
  });

  it('rejects a file that is not a manifest', () => {
    const file = join(freshFolder(), 'data.csv');
    writeFileSync(file, 'a,b\n');
    expect(() => detectLayout(file)).toThrow(/only a manifest \(\.json\) can be imported as a file/);
  });
});

describe('importDataset errors common to layouts', () => {
  it('names a source that does not exist', async () => {
    const error = await importError({ layout: 'nordland', source: join(tempRoot, 'missing') });
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(/Nordland folder not found: .*missing/);
  });

  it('rejects an unknown layout name', async () => {
    const error = await importError({ layout: 'nuscenes' as 'nordland', source: freshFolder() });
    expect(error.message).toBe('Unknown dataset layout "nuscenes"');
    expect(error.hint).toBe('Use one of: nordland, kitti-bev, manifest, kitti-nuscenes-demo, pjlab-lidar-camera, argoverse2, or leave the layout out to detect it.');
  });

  it('names a folder of the wrong layout', async () => {
    const kitti = await makeKittiSequence(freshFolder(), [0], [poseLine(0, 0, 0)]);
    const error = await importError({ layout: 'nordland', source: kitti });
    expect(error.code).toBe('invalid-input');
    expect(error.message).toMatch(/is not a Nordland folder: it has no summer\/ subfolder/);
  });
});

describe('Nordland importer', () => {
  it('imports frames present in one season without a partner', async () => {
    const source = await makeNordland([10, 20, 30], [20, 30, 40, 50]);
    const result = await importDataset({ source, outDir: freshFolder() });
    expect(result.layout).toBe('nordland');
    expect(result.counts).toEqual({ samples: 7, summer: 3, winter: 4, paired: 2, summerOnly: 1, winterOnly: 2 });
    expect(result.warnings).toEqual([
      '1 summer frame(s) have no winter frame of the same number; they have no partner.',
      '2 winter frame(s) have no summer frame of the same number; they have no partner.',
    ]);
    const samples = result.dataset.manifest.samples;
    expect(samples.map((sample) => sample.sampleId)).toEqual([
      'summer/00010', 'summer/00020', 'summer/00030', 'winter/00020', 'winter/00030', 'winter/00040', 'winter/00050',
    ]);
    expect(samples[4]!.timestampNs).toBe(30_000_000_000n);
    expect(samples[4]!.cameras[0]).toEqual({ name: 'front', path: 'winter/images-00030.png', width: 8, height: 4 });
  });

  it('skips other files with a warning', async () => {
    const source = await makeNordland([10], [10]);
    writeFileSync(join(source, 'summer', 'Thumbs.db'), 'x');
    writeFileSync(join(source, 'summer', '.DS_Store'), 'x');
    const result = await importDataset({ source, outDir: freshFolder() });
    expect(result.warnings).toEqual(['Skipped 1 file(s) in summer/ that are not PNG images (first: Thumbs.db).']);
  });

  it('names an image whose name does not parse', async () => {
    const source = await makeNordland([10], [10]);
    await writePng(join(source, 'winter', 'images-tunnel.png'), 8, 4);
    const error = await importError({ source });
    expect(error.message).toMatch(/Cannot read a number from image name images-tunnel\.png in .*winter: expected images-NNNNN\.png/);
    expect(error.path).toBe(join(source, 'winter', 'images-tunnel.png'));
  });

  it('names two images with one frame number', async () => {
    const source = await makeNordland([10], [10]);
    await writePng(join(source, 'summer', 'images-010.png'), 8, 4);
    const error = await importError({ source });
    expect(error.message).toMatch(/Images images-00010\.png and images-010\.png in .*summer have the same number 10/);
  });

  it('rejects a season folder without images', async () => {
    const source = await makeNordland([10], []);
    mkdirSync(join(source, 'winter'), { recursive: true });
    const error = await importError({ source });
    expect(error.message).toMatch(/winter contains no images named images-NNNNN\.png/);
  });

  it('names a truncated image in decode and header modes', async () => {
    const source = await makeNordland([10, 20], [10, 20]);
    const broken = join(source, 'winter', 'images-00020.png');
    // Random pixels, so the compressed data is long enough to cut in half.
    const noise = Buffer.from(Array.from({ length: 64 * 32 }, (_, i) => (i * 7919) % 251));
    await sharp(noise, { raw: { width: 64, height: 32, channels: 1 } }).png().toFile(broken);
    truncate(broken, Math.floor(readFileSync(broken).length / 2));

    for (const imageCheck of ['decode', 'header'] as const) {
      const error = await importError({ source, imageCheck });
      expect(error.code).toBe('unreadable-file');
      expect(error.path).toBe(broken);
      expect(error.message).toContain(`Cannot read image ${broken}`);
    }
  });

  it('counts every unreadable image in the message', async () => {
    const source = await makeNordland([10, 20, 30], [10]);
    writeFileSync(join(source, 'summer', 'images-00020.png'), 'not a png');
    writeFileSync(join(source, 'summer', 'images-00030.png'), '');
    const error = await importError({ source });
    expect(error.path).toBe(join(source, 'summer', 'images-00020.png'));
    expect(error.message).toMatch(/\(2 of 4 images are unreadable; the log lists them\)/);
  });

  it('reports progress while checking images', async () => {
    const source = await makeNordland([10, 20], [10]);
    const stages: string[] = [];
    await importDataset({ source, outDir: freshFolder(), onProgress: (p) => stages.push(`${p.stage} ${p.done}/${p.total}`) });
    expect(stages).toEqual(['checking-images 3/3', 'writing 0/1', 'writing 1/1']);
  });
});

describe('KITTI BEV importer', () => {
  it('reads poses, times and the raster scale', async () => {
    const folder = join(freshFolder(), '07');
    await makeKittiSequence(folder, [0, 1, 2], [poseLine(0, 0, 0), poseLine(1.5, -2, 0.25, Math.PI / 6), poseLine(3, -4, 0.5, -Math.PI / 2)]);
    const result = await importDataset({ source: folder, outDir: freshFolder() });
    const samples = result.dataset.manifest.samples;

    expect(result.layout).toBe('kitti-bev');
    expect(result.dataset.manifest.name).toBe('07');
    expect(samples.map((sample) => sample.sampleId)).toEqual(['07/000000', '07/000001', '07/000002']);
    expect(samples[1]!.timestampNs).toBe(100_000_000n);
    expect(samples[1]!.pose!.x).toBe(1.5);
    expect(samples[1]!.pose!.y).toBe(-2);
    expect(samples[1]!.pose!.z).toBe(0.25);
    expect(samples[1]!.pose!.yaw).toBeCloseTo(Math.PI / 6, 12);
    expect(samples[2]!.pose!.yaw).toBeCloseTo(-Math.PI / 2, 12);
    expect(samples[2]!.bev[0]).toEqual({ name: 'bev', path: 'imgs/000002.png', width: 151, height: 151, metresPerPixel: 0.4, frame: 'ego' });
  });

  it('names the line with the wrong number of columns', async () => {
    const folder = await makeKittiSequence(freshFolder(), [0, 1, 2], [poseLine(0, 0, 0), poseLine(1, 0, 0), '1 0 0 2 0 1 0 0 0 0 1']);
    const error = await importError({ source: folder });
    expect(error.message).toMatch(/Pose file .*pose\.txt, line 3: expected 12 numbers \(a 3x4 pose, row-major\), found 11/);
    expect(error.path).toBe(join(folder, 'pose.txt'));
  });

  it('names a value that is not a number', async () => {
    const folder = await makeKittiSequence(freshFolder(), [0, 1], [poseLine(0, 0, 0), '1 0 0 2 0 1 0 abc 0 0 1 0']);
    const error = await importError({ source: folder });
    expect(error.message).toMatch(/line 2, value 8: "abc" is not a number/);
  });

  it('rejects fewer pose rows than images', async () => {
    const folder = await makeKittiSequence(freshFolder(), [0, 1, 2], [poseLine(0, 0, 0), poseLine(1, 0, 0)]);
    const error = await importError({ source: folder });
    expect(error.message).toMatch(/has 2 rows, but image imgs\/000002\.png is scan 2 and needs row 3/);
  });

  it('warns about more pose rows than images', async () => {
    const folder = await makeKittiSequence(freshFolder(), [0, 1], [poseLine(0, 0, 0), poseLine(1, 0, 0), poseLine(2, 0, 0)]);
    const result = await importDataset({ source: folder, outDir: freshFolder() });
    expect(result.warnings).toEqual(['pose.txt has 3 rows for 2 images; the rows without an image are ignored.']);
  });

  it('rejects a sequence without pose.txt', async () => {
    const folder = freshFolder();
    await writePng(join(folder, 'imgs', '000000.png'), 151, 151);
    const error = await importError({ source: folder });
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(/Pose file not found: .*pose\.txt/);
  });

  it('rejects a sequence without imgs', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'pose.txt'), poseLine(0, 0, 0) + '\n');
    const error = await importError({ source: folder });
    expect(error.message).toMatch(/has pose\.txt but no imgs\/ folder/);
  });

  it('names an image whose name does not parse', async () => {
    const folder = await makeKittiSequence(freshFolder(), [0], [poseLine(0, 0, 0)]);
    await writePng(join(folder, 'imgs', 'scan-1.png'), 151, 151);
    const error = await importError({ source: folder });
    expect(error.message).toMatch(/Cannot read a number from image name scan-1\.png .*expected NNNNNN\.png \(the scan number\)/);
  });

  it('rejects a folder without sequences', async () => {
    const folder = freshFolder();
    mkdirSync(join(folder, 'other'));
    const error = await importError({ layout: 'kitti-bev', source: folder });
    expect(error.message).toMatch(/is not a KITTI BEV folder: it has no imgs\/ and pose\.txt, and no subfolder with them/);
  });

  it('imports sibling sequences into one dataset with separate sites', async () => {
    const parent = freshFolder();
    await makeKittiSequence(join(parent, '00'), [0, 1], [poseLine(0, 0, 0), poseLine(1, 0, 0)]);
    await makeKittiSequence(join(parent, '05'), [0], [poseLine(0, 0, 0)]);
    mkdirSync(join(parent, 'notes'));
    const result = await importDataset({ source: parent, outDir: freshFolder() });
    const samples = result.dataset.manifest.samples;
    expect(result.counts).toEqual({ samples: 3, '00': 2, '05': 1 });
    expect(samples.map((sample) => `${sample.sampleId} ${sample.site} ${sample.bev[0]!.path}`)).toEqual([
      '00/000000 kitti-00 00/imgs/000000.png',
      '00/000001 kitti-00 00/imgs/000001.png',
      '05/000000 kitti-05 05/imgs/000000.png',
    ]);
  });

  it('warns when rasters are not 151 x 151', async () => {
    const folder = await makeKittiSequence(freshFolder(), [0], [poseLine(0, 0, 0)], 64);
    const result = await importDataset({ source: folder, outDir: freshFolder() });
    expect(result.warnings).toEqual([
      '1 raster(s) are not 151x151 pixels, so the assumed scale of 0.4 m per pixel may be wrong for them.',
    ]);
  });
});

describe('manifest importer', () => {
  async function makeManifestDataset(): Promise<{ folder: string; manifestPath: string }> {
    const folder = freshFolder();
    await writePng(join(folder, 'data', 'a.png'), 4, 4);
    await writePng(join(folder, 'data', 'b.png'), 4, 4);
    const manifest = {
      format: 'apron-manifest',
      version: 1,
      name: 'tiny',
      root: 'data',
      samples: [
        { sampleId: 'a', sequenceId: 'run1', timestampNs: '1700000000123456789', cameras: [{ name: 'front', path: 'a.png' }] },
        { sampleId: 'b', sequenceId: 'run2', timestampNs: 5, cameras: [{ name: 'front', path: 'b.png' }] },
      ],
    };
    const manifestPath = join(folder, 'my-manifest.json');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    return { folder, manifestPath };
  }

  it('registers a manifest with its root made absolute', async () => {
    const { folder, manifestPath } = await makeManifestDataset();
    expect(detectLayout(manifestPath)).toBe('manifest');
    const result = await importDataset({ source: manifestPath, outDir: freshFolder() });
    expect(result.layout).toBe('manifest');
    expect(result.counts).toEqual({ samples: 2, sequences: 2 });
    expect(result.dataset.root).toBe(join(folder, 'data'));
    expect(result.dataset.manifest.root).toBe(join(folder, 'data'));
    expect(result.dataset.manifest.name).toBe('tiny');
    expect(result.dataset.manifest.source?.importer).toBe('manifest');
    expect(result.dataset.manifest.samples[0]!.timestampNs).toBe(1_700_000_000_123_456_789n);
  });

  it('takes a given name over the manifest name', async () => {
    const { manifestPath } = await makeManifestDataset();
    const result = await importDataset({ source: manifestPath, outDir: freshFolder(), name: 'renamed' });
    expect(result.dataset.manifest.name).toBe('renamed');
  });

  it('names a file the manifest lists but that is missing', async () => {
    const { folder, manifestPath } = await makeManifestDataset();
    rmSync(join(folder, 'data', 'b.png'));
    const error = await importError({ source: manifestPath });
    expect(error.code).toBe('not-found');
    expect(error.message).toContain(`names files that do not exist: ${join(folder, 'data', 'b.png')} (sample b)`);
  });

  it('rejects a manifest with duplicate sample ids', async () => {
    const folder = freshFolder();
    const path = join(folder, 'apron-manifest.json');
    const sample = { sampleId: 'x', sequenceId: 's', timestampNs: 0 };
    writeFileSync(path, JSON.stringify({ format: 'apron-manifest', version: 1, name: 'd', root: '.', samples: [sample, sample] }));
    const error = await importError({ source: folder });
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toMatch(/lists sampleId "x" twice/);
  });
});

describe.skipIf(!hasSharedData('kitti-bev-revisits', '00'))('KITTI BEV importer on copied real scans', () => {
  it('names the truncated one of three real scans', async () => {
    const folder = join(freshFolder(), '00');
    mkdirSync(join(folder, 'imgs'), { recursive: true });
    for (const scan of ['000000', '000001', '000002']) {
      copyFileSync(sharedDataPath('kitti-bev-revisits', '00', 'imgs', `${scan}.png`), join(folder, 'imgs', `${scan}.png`));
    }
    const poseLines = readFileSync(sharedDataPath('kitti-bev-revisits', '00', 'pose.txt'), 'utf8').split('\n').slice(0, 3);
    writeFileSync(join(folder, 'pose.txt'), poseLines.join('\n') + '\n');

    const good = await importDataset({ source: folder, outDir: freshFolder() });
    expect(good.counts).toEqual({ samples: 3, '00': 3 });
    expect(good.dataset.manifest.samples[1]!.pose!.x).toBe(8.587678402508788222e-1);

    const broken = join(folder, 'imgs', '000001.png');
    truncate(broken, 1000);
    const error = await importError({ source: folder });
    expect(error.code).toBe('unreadable-file');
    expect(error.path).toBe(broken);
    expect(error.message).toMatch(/Cannot read image .*000001\.png: pngload: end of stream/);
  });
});
