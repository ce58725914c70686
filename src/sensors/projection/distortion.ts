/**
 * The radial-tangential (Brown-Conrady) lens model as OpenCV defines it.
 */

/**
 * Applies lens distortion to normalized image coordinates (x/z, y/z in the camera frame) with
 * coefficients k1, k2, p1, p2 and an optional k3 in OpenCV order, and returns the distorted [x, y].
 */
export function distortNormalized(x: number, y: number, coefficients: readonly number[]): [number, number] {
  const k1 = coefficients[0] ?? 0;
  const k2 = coefficients[1] ?? 0;
  const p1 = coefficients[2] ?? 0;
  const p2 = coefficients[3] ?? 0;
  const k3 = coefficients[4] ?? 0;

  const r2 = x * x + y * y;
  const radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3));
  const distortedX = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x);
  const distortedY = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y;
  return [distortedX, distortedY];
}
