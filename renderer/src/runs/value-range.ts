/**
 * Returns the y range of a run chart's values. A constant series (a fixed temperature) gets a range of 10 % of its
 * value either way, so that a positive quantity is not drawn on an axis that reaches below 0.
 */
export function valueRange(values: number[]): [number, number] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (max > min) return [min, max];
  const half = min === 0 ? 0.5 : Math.abs(min) * 0.1;
  return [min - half, max + half];
}
