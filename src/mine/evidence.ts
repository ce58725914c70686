/** The evidence shown with a suspected pair: similarity, rank, time gap, distance and heading. */
import type { Evidence } from '../api/contract.js';
import type { Sample } from '../dataset/manifest.js';
import { secondsBetween } from './positives.js';

/**
 * Evidence for pair (a, b). The time gap exists only within one sequence, because timestamps of
 * two sequences need not share a clock (KITTI sequences each start at 0). Distance and heading
 * exist only when both samples have poses in one site frame (equal `site`, or both without one).
 */
export function computeEvidence(a: Sample, b: Sample, similarity: number, rank: number): Evidence {
  const sameSequence = a.sequenceId === b.sequenceId;
  const timeGapSeconds = sameSequence ? Math.abs(secondsBetween(a, b)) : null;

  let distanceMetres: number | null = null;
  let headingDifferenceDegrees: number | null = null;
  if (a.pose !== undefined && b.pose !== undefined && a.site === b.site) {
    distanceMetres = Math.hypot(a.pose.x - b.pose.x, a.pose.y - b.pose.y);
    headingDifferenceDegrees = headingDifference(a.pose.yaw, b.pose.yaw);
  }

  return { similarity, rank, timeGapSeconds, sameSequence, distanceMetres, headingDifferenceDegrees };
}

/** Absolute difference of two headings in radians, as degrees wrapped to [0, 180]. */
export function headingDifference(yawA: number, yawB: number): number {
  const degrees = Math.abs(((yawA - yawB) * 180) / Math.PI) % 360;
  return degrees > 180 ? 360 - degrees : degrees;
}
