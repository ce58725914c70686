/** Dataset ids: short, readable, safe as folder names and in URLs. */
import { ApronError } from '../core/errors.js';

const DATASET_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Turn a dataset name into an id: lower case, runs of other characters become one dash. */
export function datasetIdFromName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64);
  return slug === '' ? 'dataset' : slug;
}

export function checkDatasetId(id: string): string {
  if (!DATASET_ID_PATTERN.test(id)) {
    throw new ApronError('invalid-input', `Invalid dataset id "${id}"`, {
      hint: 'Use 1 to 64 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit.',
    });
  }
  return id;
}
