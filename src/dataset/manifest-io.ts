/** Read and write manifests, turning every failure into an error that names the file and the fix. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ApronError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { MANIFEST_VERSION, manifestSchema, type Manifest, type ManifestInput, type Sample } from './manifest.js';

export const MANIFEST_FILE_NAME = 'apron-manifest.json';

/** A parsed manifest plus where it came from, with `root` resolved to an absolute path. */
export interface LoadedDataset {
  manifestPath: string;
  root: string;
  manifest: Manifest;
  /** Sample index by id. */
  indexOf: Map<string, number>;
}

/** Read a manifest from a file, or from `apron-manifest.json` inside a folder. */
export function readManifest(path: string): LoadedDataset {
  let manifestPath = resolve(path);
  if (!existsSync(manifestPath)) {
    throw new ApronError('not-found', `Manifest not found: ${manifestPath}`, {
      path: manifestPath,
      hint: 'Check the path, or create a manifest with `apron import`.',
    });
  }
  if (statSync(manifestPath).isDirectory()) manifestPath = join(manifestPath, MANIFEST_FILE_NAME);
  if (!existsSync(manifestPath)) {
    throw new ApronError('not-found', `No ${MANIFEST_FILE_NAME} in folder ${dirname(manifestPath)}`, {
      path: manifestPath,
      hint: 'Point at the manifest file itself, or import the folder with `apron import <layout> <folder>`.',
    });
  }

  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch (error) {
    throw new ApronError('unreadable-file', `Cannot read manifest ${manifestPath}: ${(error as Error).message}`, {
      path: manifestPath,
      hint: 'Check that the file is readable by your user.',
      cause: error,
    });
  }

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ApronError('invalid-manifest', `Manifest ${manifestPath} is not valid JSON: ${(error as Error).message}`, {
      path: manifestPath,
      hint: 'Fix the JSON syntax, or re-create the manifest with `apron import`.',
      cause: error,
    });
  }

  // A newer format version gets its own message, because the schema alone reports only "expected 1".
  const version = typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && version > MANIFEST_VERSION) {
    throw new ApronError('invalid-manifest', `Manifest ${manifestPath} has format version ${version}, but this Apron reads version ${MANIFEST_VERSION}`, {
      path: manifestPath,
      hint: 'Update Apron, or re-create the manifest with this version of `apron import`.',
    });
  }

  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`)
      .join('; ');
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw new ApronError('invalid-manifest', `Manifest ${manifestPath} is invalid: ${issues}${more}`, {
      path: manifestPath,
      hint: 'See docs/manifest.md for the format, or re-create the manifest with `apron import`.',
    });
  }

  const manifest = parsed.data;
  const indexOf = new Map<string, number>();
  manifest.samples.forEach((sample, index) => {
    if (indexOf.has(sample.sampleId)) {
      throw new ApronError('invalid-manifest', `Manifest ${manifestPath} lists sampleId "${sample.sampleId}" twice`, {
        path: manifestPath,
        hint: 'Every sampleId must be unique within a dataset.',
      });
    }
    indexOf.set(sample.sampleId, index);
  });

  const root = isAbsolute(manifest.root) ? manifest.root : resolve(dirname(manifestPath), manifest.root);
  return { manifestPath, root, manifest, indexOf };
}

/** Validate and write a manifest atomically; returns the path written. */
export function writeManifest(path: string, manifest: ManifestInput): string {
  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ApronError('internal', `Refusing to write an invalid manifest: ${first?.path.join('.')}: ${first?.message}`);
  }
  const json = JSON.stringify(manifest, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2);
  writeFileAtomic(path, json + '\n');
  return path;
}

/** Absolute path of a file named in the manifest. */
export function resolveSamplePath(dataset: LoadedDataset, relativePath: string): string {
  return isAbsolute(relativePath) ? relativePath : join(dataset.root, relativePath);
}

/** Returns the image a single-image encoder trains on: the first BEV raster, else the first camera. */
export function primaryImagePath(dataset: LoadedDataset, sample: Sample): string | undefined {
  const file = sample.bev[0] ?? sample.cameras[0];
  return file === undefined ? undefined : resolveSamplePath(dataset, file.path);
}
