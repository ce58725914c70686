/** Seven-segment digits as rectangles, used for the stand numbers on the facade signs and the ground. */

/** A rectangle in a digit cell: centre (u to the right, v up) and sizes, in units of the cell width. */
export interface SegmentRect {
  u: number;
  v: number;
  width: number;
  height: number;
}

// Segments a to g: top, upper right, lower right, bottom, lower left, upper left, middle.
const SEGMENTS: SegmentRect[] = [
  { u: 0, v: 1, width: 1, height: 0.18 },
  { u: 0.41, v: 0.5, width: 0.18, height: 1 },
  { u: 0.41, v: -0.5, width: 0.18, height: 1 },
  { u: 0, v: -1, width: 1, height: 0.18 },
  { u: -0.41, v: -0.5, width: 0.18, height: 1 },
  { u: -0.41, v: 0.5, width: 0.18, height: 1 },
  { u: 0, v: 0, width: 1, height: 0.18 },
];

const DIGIT_SEGMENTS = ['abcdef', 'bc', 'abdeg', 'abcdg', 'bcfg', 'acdfg', 'acdefg', 'abc', 'abcdefg', 'abcdfg'];

/**
 * Lays out the digits of `text` side by side, centred on (0, 0), for a cell `cellWidth` wide and
 * twice as tall. Characters other than 0-9 are skipped.
 */
export function sevenSegmentRects(text: string, cellWidth: number): SegmentRect[] {
  const digits = [...text].filter((character) => character >= '0' && character <= '9');
  const pitch = cellWidth * 1.4;
  const rects: SegmentRect[] = [];
  digits.forEach((digit, index) => {
    const centre = (index - (digits.length - 1) / 2) * pitch;
    for (const letter of DIGIT_SEGMENTS[Number(digit)] ?? '') {
      const segment = SEGMENTS[letter.charCodeAt(0) - 97];
      if (segment === undefined) continue;
      rects.push({
        u: centre + segment.u * cellWidth,
        v: segment.v * cellWidth,
        width: segment.width * cellWidth,
        height: segment.height * cellWidth,
      });
    }
  });
  return rects;
}
