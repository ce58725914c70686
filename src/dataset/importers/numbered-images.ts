/** Listing of a folder of images whose names carry a frame or scan number. */
import { join } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { listFolder } from './source-folder.js';

export interface NumberedImage {
  number: number;
  /** File name inside the folder. */
  fileName: string;
}

export interface NumberedImageListing {
  images: NumberedImage[];
  /** Files that are not PNG images and were skipped. */
  skipped: string[];
}

/**
 * List the PNG files of `folder`, sorted by number. `pattern` must capture the number in its first
 * group. A PNG whose name does not match, or two names with one number, raise an error naming the
 * file; other files are returned in `skipped`.
 */
export function listNumberedImages(folder: string, pattern: RegExp, expectedName: string): NumberedImageListing {
  const images: NumberedImage[] = [];
  const skipped: string[] = [];
  const badNames: string[] = [];
  const fileOfNumber = new Map<number, string>();

  for (const entry of listFolder(folder)) {
    if (!entry.isFile) continue;
    if (!entry.name.toLowerCase().endsWith('.png')) {
      skipped.push(entry.name);
      continue;
    }
    const match = pattern.exec(entry.name);
    if (match === null) {
      badNames.push(entry.name);
      continue;
    }
    const number = Number(match[1]);
    const previous = fileOfNumber.get(number);
    if (previous !== undefined) {
      throw new ApronError('invalid-input', `Images ${previous} and ${entry.name} in ${folder} have the same number ${number}`, {
        path: join(folder, entry.name),
        hint: 'Remove or rename one of them; each number must appear once.',
      });
    }
    fileOfNumber.set(number, entry.name);
    images.push({ number, fileName: entry.name });
  }

  if (badNames.length > 0) {
    const first = badNames[0]!;
    const more = badNames.length > 1 ? ` (and ${badNames.length - 1} more)` : '';
    throw new ApronError('invalid-input', `Cannot read a number from image name ${first} in ${folder}${more}: expected ${expectedName}`, {
      path: join(folder, first),
      hint: `Rename the images to ${expectedName}, or move other images out of the folder.`,
    });
  }
  if (images.length === 0) {
    throw new ApronError('invalid-input', `${folder} contains no images named ${expectedName}`, {
      path: folder,
      hint: 'Check that this is the right folder and that the images were copied completely.',
    });
  }

  images.sort((a, b) => a.number - b.number);
  return { images, skipped };
}
