/**
 * Opaque tokens for dataset files shown in the UI, and their resolution to a path on disk.
 *
 * A token names a file by dataset, sample, kind and index, never by path, so a front end cannot
 * ask for arbitrary files. Resolving a token goes through the manifest and then checks the real
 * path (symlinks followed) against the real dataset root, because a manifest entry such as
 * `../../etc/passwd`, an absolute path or a symlink inside the dataset could point elsewhere.
 */
import { realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, sep } from 'node:path';
import { z } from 'zod';
import { ApronError } from '../core/errors.js';
import { resolveSamplePath, type LoadedDataset } from '../dataset/manifest-io.js';
import type { Sample } from '../dataset/manifest.js';
import type { Store } from '../store/index.js';
import { sharedManifestCache, type ManifestCache } from './manifest-cache.js';

const TOKEN_VERSION = 2;

/**
 * Kinds of token. `camera` and `bev` are files of the sample, served as they are (a `.npy` BEV
 * is rendered to PNG). The others are computed from the sample's files: `lidar` the sweep in wire
 * form, `projection` sweep `extra` projected into camera `index`, `lidar-bev` a BEV raster of sweep
 * `index`, and `map` the vector map in the pixels of BEV raster `index`.
 */
export const TOKEN_KINDS = ['camera', 'bev', 'lidar', 'projection', 'lidar-bev', 'map'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export interface FileTokenFields {
  datasetId: string;
  sampleId: string;
  kind: TokenKind;
  /** Index into the sample's `cameras`, `bev` or `lidar` list, by kind. */
  index: number;
  /** Second index: the sweep of a `projection`; 0 for the other kinds. */
  extra?: number;
}

/** A file on disk, or bytes computed for the request. */
export type ResolvedFile = { path: string; contentType: string } | { body: Uint8Array; contentType: string };

const tokenSchema = z.tuple([
  z.literal(TOKEN_VERSION),
  z.string().min(1),
  z.string().min(1),
  z.enum(TOKEN_KINDS),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
]);

/** Content types of the image formats sharp and browsers both read; anything else is sent as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** base64url of a small JSON array: URL-safe without escaping, and not meant to be read by people. */
export function encodeFileToken(fields: FileTokenFields): string {
  const json = JSON.stringify([TOKEN_VERSION, fields.datasetId, fields.sampleId, fields.kind, fields.index, fields.extra ?? 0]);
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Decodes a token, or throws `invalid-input` when it was not made by `encodeFileToken`. */
export function decodeFileToken(token: string): FileTokenFields {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = tokenSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ApronError('invalid-input', `File token "${token.slice(0, 80)}" is not valid.`, {
      hint: 'Use the token from a sample view as it is; reload the pair if the page is old.',
    });
  }
  const [, datasetId, sampleId, kind, index, extra] = parsed.data;
  return { datasetId, sampleId, kind, index, extra };
}

/**
 * Resolves a `camera` or `bev` token to the real path and content type of its file. Throws
 * `invalid-input` for a bad token or a file outside the dataset root, and `not-found` for an unknown
 * dataset, sample or file. Tokens of computed kinds go through `resolveDataToken` instead.
 */
export function resolveFileToken(store: Store, token: string, manifests: ManifestCache = sharedManifestCache): { path: string; contentType: string } {
  const fields = decodeFileToken(token);
  const { dataset, sample } = tokenSample(store, fields, manifests);
  if (fields.kind !== 'camera' && fields.kind !== 'bev') {
    throw new ApronError('invalid-input', `File token of kind "${fields.kind}" names computed data, not a file.`, {
      hint: 'Fetch it through the file URL of the sample view.',
    });
  }

  const file = (fields.kind === 'camera' ? sample.cameras : sample.bev)[fields.index];
  if (file === undefined) {
    throw new ApronError('not-found', `Sample "${fields.sampleId}" has no ${fields.kind} image number ${fields.index}.`, {
      hint: 'The manifest may have been re-imported since the page was loaded; reload the pair.',
    });
  }

  const realFile = resolveInsideRoot(dataset, file.path, `Image ${file.name} of sample "${fields.sampleId}"`);
  const contentType = CONTENT_TYPES[extname(realFile).toLowerCase()] ?? 'application/octet-stream';
  return { path: realFile, contentType };
}

/** Looks up the dataset and sample a token names. Throws `not-found` when the manifest no longer lists the sample. */
export function tokenSample(store: Store, fields: FileTokenFields, manifests: ManifestCache): { dataset: LoadedDataset; sample: Sample } {
  const dataset = manifests.get(store.getDataset(fields.datasetId).manifestPath);
  const sampleIndex = dataset.indexOf.get(fields.sampleId);
  const sample = sampleIndex === undefined ? undefined : dataset.manifest.samples[sampleIndex];
  if (sample === undefined) {
    throw new ApronError('not-found', `Sample "${fields.sampleId}" is not in dataset "${fields.datasetId}".`, {
      hint: 'The manifest may have been re-imported since the page was loaded; reload the pair.',
    });
  }
  return { dataset, sample };
}

/**
 * Returns the real path of a manifest path, checked to be a regular file inside the dataset's real root.
 * `description` names the file in errors, for example `Image front of sample "s1"`.
 */
export function resolveInsideRoot(dataset: LoadedDataset, manifestPath: string, description: string): string {
  const realRoot = realPathOf(dataset.root, 'The root folder of the dataset');
  const requested = resolveSamplePath(dataset, manifestPath);
  const realFile = realPathOf(requested, description);
  if (!isInside(realRoot, realFile)) {
    throw new ApronError('invalid-input', `${description} lies outside the dataset root ${realRoot}.`, {
      path: requested,
      hint: 'Apron serves only files inside the dataset folder. Fix the path in the manifest, or copy the file into the dataset.',
    });
  }
  if (!statSync(realFile).isFile()) {
    throw new ApronError('not-found', `${description} is not a file: ${requested}`, { path: requested });
  }
  return realFile;
}

function realPathOf(path: string, description: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    throw new ApronError('not-found', `${description} is missing: ${path}`, {
      path,
      hint: 'Check that the dataset folder is complete and still at the path the manifest names.',
      cause: error,
    });
  }
}

/** True when `child` is `root` itself or lies below it. Both must be real, absolute paths. */
function isInside(root: string, child: string): boolean {
  const path = relative(root, child);
  const escapes = path === '..' || path.startsWith(`..${sep}`);
  return !escapes && !isAbsolute(path);
}
