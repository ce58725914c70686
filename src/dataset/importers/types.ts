/** Shared types of the dataset importers. */
import type { ManifestInput } from '../manifest.js';
import type { LoadedDataset } from '../manifest-io.js';

export const DATASET_LAYOUTS = ['nordland', 'kitti-bev', 'manifest', 'kitti-nuscenes-demo', 'pjlab-lidar-camera', 'argoverse2'] as const;
export type DatasetLayout = (typeof DATASET_LAYOUTS)[number];

/**
 * How far images are checked at import. `decode` decodes every image fully, which finds truncated
 * and corrupt files (0.5 to 1 ms per small PNG on 2 cores). `header` reads only the image header and, for
 * PNG, checks that the file ends with its IEND chunk: about 4 times faster, but it misses damage
 * inside the compressed data, which then fails at training time with the file named.
 */
export type ImageCheck = 'decode' | 'header';

export interface ImportProgress {
  stage: 'checking-images' | 'writing';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** The importer to use; detected from the folder when omitted (see `detectLayout`). */
  layout?: DatasetLayout;
  /** The dataset folder, or for `manifest` a manifest file or a folder containing apron-manifest.json. */
  source: string;
  /** Folder to write apron-manifest.json into; created when missing. */
  outDir: string;
  /** Dataset name; defaults to the source folder's name, or the manifest's own name. */
  name?: string;
  /** Default `decode`. */
  imageCheck?: ImageCheck;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportResult {
  layout: DatasetLayout;
  manifestPath: string;
  dataset: LoadedDataset;
  /** Problems that did not stop the import, as sentences for the user. */
  warnings: string[];
  /** Sample counts by group, for example `{ samples: 7152, summer: 3576, winter: 3576, paired: 3576 }`. */
  counts: Record<string, number>;
}

/** Settings that `importDataset` passes to every importer. */
export interface ImporterContext {
  name: string;
  imageCheck: ImageCheck;
  onProgress: ((progress: ImportProgress) => void) | undefined;
}

/** A manifest an importer built, before `importDataset` writes it. */
export interface BuiltManifest {
  manifest: ManifestInput;
  warnings: string[];
  counts: Record<string, number>;
}
