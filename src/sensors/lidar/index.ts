/** Point-cloud readers for LiDAR sweeps: KITTI, nuScenes, PCD, PLY and Argoverse 2 Feather. */
export { getField, getIntensity, getPositions, getRing, PointCloudError } from './point-cloud.js';
export type { PointCloud, PointCloudFormat, PointColumn, PointField } from './point-cloud.js';
export { readKittiBin, readNuscenesBin } from './float-records.js';
export { readPcd } from './pcd.js';
export { readPly } from './ply.js';
export { readArgoverse2Feather } from './feather.js';
export { lzfDecompress } from './lzf.js';
export { lz4FrameDecompress } from './lz4-frame.js';
export { detectPointCloudFormat, readPointCloudFile } from './read-file.js';
