/**
 * The demo vehicle's sensors: a pinhole camera looking left at the stands and a spinning LiDAR on
 * the roof. Both mounts are fixed in the vehicle frame (x forward, y left, z up, origin on the
 * ground under the rear axle), so one calibration file serves every sample.
 */
import type { VehiclePose } from './types.js';

/** Camera name inside the calibration file. */
export const CAMERA_NAME = 'CAM_LEFT';
export const CALIBRATION_ID = 'demo-vehicle';

export interface CameraSpec {
  width: number;
  height: number;
  /** Focal lengths and principal point, in pixels. */
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  /** Mount position in the vehicle frame, metres. */
  mount: { x: number; y: number; z: number };
  /** Tilt of the optical axis above the horizon, radians. */
  pitchUp: number;
}

/**
 * 256x160 with a 90 degree horizontal field of view. The small image keeps a whole sample (camera,
 * LiDAR, BEV, PNG encoding) at about 25 ms of CPU time on Node 20.
 */
export const CAMERA: CameraSpec = {
  width: 256,
  height: 160,
  fx: 128,
  fy: 128,
  cx: 128,
  cy: 80,
  mount: { x: 0.3, y: 0.6, z: 1.7 },
  pitchUp: (4 * Math.PI) / 180,
};

export interface LidarSpec {
  beams: number;
  azimuthSteps: number;
  /** Elevation of the lowest and the highest beam, radians. */
  minElevation: number;
  maxElevation: number;
  /** Returns farther than this, in metres, are not recorded. */
  maxRange: number;
}

export const DEFAULT_LIDAR: LidarSpec = {
  beams: 32,
  azimuthSteps: 720,
  minElevation: (-25 * Math.PI) / 180,
  maxElevation: (15 * Math.PI) / 180,
  maxRange: 100,
};

/** LiDAR origin in the vehicle frame. The sensor frame has the vehicle's axes. */
export const LIDAR_MOUNT = { x: 0, y: 0, z: 1.9 };

/**
 * Camera axes in the vehicle frame, row-major: right, down, forward. The camera looks along the
 * vehicle's +y (left), tilted up by `pitchUp`, so its right is the vehicle's forward.
 */
export function cameraAxesInVehicle(camera: CameraSpec = CAMERA): number[] {
  const cos = Math.cos(camera.pitchUp);
  const sin = Math.sin(camera.pitchUp);
  return [1, 0, 0, 0, sin, -cos, 0, cos, sin];
}

/** Row-major 4x4 from the LiDAR frame to the camera frame (x right, y down, z forward). */
export function lidarToCamera(camera: CameraSpec = CAMERA): number[] {
  const r = cameraAxesInVehicle(camera);
  const offset = [camera.mount.x - LIDAR_MOUNT.x, camera.mount.y - LIDAR_MOUNT.y, camera.mount.z - LIDAR_MOUNT.z];
  const matrix: number[] = [];
  for (let row = 0; row < 3; row++) {
    const axis = [r[row * 3]!, r[row * 3 + 1]!, r[row * 3 + 2]!];
    const translation = -(axis[0]! * offset[0]! + axis[1]! * offset[1]! + axis[2]! * offset[2]!);
    matrix.push(axis[0]!, axis[1]!, axis[2]!, translation);
  }
  matrix.push(0, 0, 0, 1);
  return matrix;
}

/**
 * Builds the calibration in the mmdetection3d KITTI JSON layout that `parseKittiCalibJson` reads:
 * `images.<camera>` with a 4x4 `cam2img`, a 4x4 `lidar2cam`, `width` and `height`.
 */
export function calibrationJson(camera: CameraSpec = CAMERA): object {
  const cameraToImage = [
    [camera.fx, 0, camera.cx, 0],
    [0, camera.fy, camera.cy, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const lidar = lidarToCamera(camera);
  const rows = [0, 1, 2, 3].map((row) => lidar.slice(row * 4, row * 4 + 4).map((value) => roundMatrixEntry(value)));
  return {
    images: { [CAMERA_NAME]: { cam2img: cameraToImage, lidar2cam: rows, width: camera.width, height: camera.height } },
  };
}

/** Rounds to 1e-12 so that -0 and float noise such as 6.1e-17 do not reach the file. */
function roundMatrixEntry(value: number): number {
  const rounded = Math.round(value * 1e12) / 1e12;
  return rounded === 0 ? 0 : rounded;
}

/** A sensor's position and axes in the site frame: `axes` rows are the sensor axes in site coordinates. */
export interface SensorFrame {
  x: number;
  y: number;
  z: number;
  axes: number[];
}

function toSite(pose: VehiclePose, local: { x: number; y: number; z: number }): { x: number; y: number; z: number } {
  const cos = Math.cos(pose.yaw);
  const sin = Math.sin(pose.yaw);
  return { x: pose.x + cos * local.x - sin * local.y, y: pose.y + sin * local.x + cos * local.y, z: pose.z + local.z };
}

export function cameraFrame(pose: VehiclePose, camera: CameraSpec = CAMERA): SensorFrame {
  const position = toSite(pose, camera.mount);
  const vehicleAxes = cameraAxesInVehicle(camera);
  const cos = Math.cos(pose.yaw);
  const sin = Math.sin(pose.yaw);
  const axes: number[] = [];
  for (let row = 0; row < 3; row++) {
    const vx = vehicleAxes[row * 3]!;
    const vy = vehicleAxes[row * 3 + 1]!;
    axes.push(cos * vx - sin * vy, sin * vx + cos * vy, vehicleAxes[row * 3 + 2]!);
  }
  return { ...position, axes };
}

export function lidarFrame(pose: VehiclePose): SensorFrame {
  const position = toSite(pose, LIDAR_MOUNT);
  const cos = Math.cos(pose.yaw);
  const sin = Math.sin(pose.yaw);
  return { ...position, axes: [cos, sin, 0, -sin, cos, 0, 0, 0, 1] };
}
