/** Benchmarks on the real datasets; each one reports itself as skipped when its data is absent. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './report.js';
import { benchKittiLoop } from './bench-kitti-loop.js';
import { benchLidar } from './bench-lidar.js';
import { benchNordlandSeasons } from './bench-nordland-seasons.js';
import { benchPairView } from './bench-pair-view.js';

export interface RealDataBench {
  name: string;
  run(dataRoot: string): Promise<BenchResult[]>;
}

function skipped(name: string, path: string): BenchResult[] {
  return [{ name, figure: 'skipped', baseline: `${path} is absent`, ratio: null, target: 'none set', met: null }];
}

export const BENCHES_ON_REAL_DATA: RealDataBench[] = [
  {
    name: 'point-cloud readers',
    async run(dataRoot) {
      const results = await benchLidar(dataRoot);
      return results.length > 0 ? results : skipped('point-cloud readers', dataRoot);
    },
  },
  {
    name: 'pair view',
    async run(dataRoot) {
      const results = await benchPairView(dataRoot);
      return results.length > 0 ? results : skipped('pair view', dataRoot);
    },
  },
  {
    name: 'nordland seasons',
    async run(dataRoot) {
      const folder = join(dataRoot, 'nordland-summer-winter');
      if (!existsSync(folder)) return skipped('Nordland seasons', folder);
      return benchNordlandSeasons(folder);
    },
  },
  {
    name: 'kitti-00 loop',
    async run(dataRoot) {
      const folder = join(dataRoot, 'kitti-bev-revisits', '00');
      if (!existsSync(folder)) return skipped('KITTI 00 loop', folder);
      return benchKittiLoop(folder);
    },
  },
];
