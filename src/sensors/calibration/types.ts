/**
 * One camera's calibration against the LiDAR, whatever file format it came from.
 *
 * Matrices are row-major flat arrays: a 4x4 has 16 entries, a 3x3 has 9 and a 3x4 has 12.
 */

/** Camera intrinsic matrix: 3x3 (K) or 3x4 (a KITTI-style projection matrix P with a baseline column). */
export interface IntrinsicMatrix {
  columns: 3 | 4;
  values: number[];
}

export interface ImageSize {
  width: number;
  height: number;
}

export interface CameraCalibration {
  /** Camera name in the source file, for example `CAM2` or `CAM_FRONT`. */
  camera: string;
  intrinsic: IntrinsicMatrix;
  /** 4x4 transform from LiDAR coordinates to camera coordinates (x right, y down, z forward). */
  lidarToCamera: number[];
  imageSize: ImageSize;
  /** Radial-tangential coefficients in OpenCV order: k1, k2, p1, p2 and an optional k3. */
  distortion?: number[];
  /** 4x4 transform from the camera to the ego vehicle frame. */
  cameraToEgo?: number[];
  /** 4x4 transform from the LiDAR to the ego vehicle frame. */
  lidarToEgo?: number[];
  /** 4x4 transform from the ego vehicle frame to the global (map) frame. */
  egoToGlobal?: number[];
}
