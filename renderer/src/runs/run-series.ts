import type { RunCurvePoint } from '../../../src/api/contract-runs.js';

export type CurveField = Exclude<keyof RunCurvePoint, 'step' | 'collapsed' | 'collapseReasons'>;

/** Returns the points of one field, skipping the steps that did not compute it. */
export function curveOf(points: readonly RunCurvePoint[], field: CurveField): Array<{ x: number; y: number }> {
  const result: Array<{ x: number; y: number }> = [];
  for (const point of points) {
    const value = point[field];
    if (typeof value === 'number') result.push({ x: point.step, y: value });
  }
  return result;
}

/** Returns the steps whose monitors raised the collapse flag, with the reasons of the first. */
export function collapsedSteps(points: readonly RunCurvePoint[]): { steps: number[]; reasons: string[] } {
  const flagged = points.filter((point) => point.collapsed === true);
  return { steps: flagged.map((point) => point.step), reasons: flagged[0]?.collapseReasons ?? [] };
}
