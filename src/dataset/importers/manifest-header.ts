/** The fields every importer's manifest starts with: format, version, name, root and provenance. */
import { MANIFEST_FORMAT, MANIFEST_VERSION, type ManifestInput } from '../manifest.js';
import type { DatasetLayout } from './types.js';

export function manifestHeader(layout: DatasetLayout, source: string, name: string): Pick<ManifestInput, 'format' | 'version' | 'name' | 'root' | 'source'> {
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name,
    // Sample paths are relative to the source folder, so the manifest points at the files in place.
    root: source,
    source: { importer: layout, path: source, importedAt: new Date().toISOString() },
  };
}
