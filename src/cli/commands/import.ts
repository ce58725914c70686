import { DATASET_LAYOUTS, type DatasetLayout } from '../../dataset/importers/index.js';
import { importIntoWorkspace } from '../../loop/import.js';
import { stringOption, UsageError } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { withStore } from '../workspace-store.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'import a dataset folder (nordland, kitti-bev, kitti-nuscenes-demo, pjlab-lidar-camera, argoverse2) or a manifest',
  help: `Usage: apron import <layout> <folder> [options]
       apron import <folder> [options]          (layout detected from the folder)

Builds an Apron manifest that points at the dataset's files in place (nothing is copied) and
registers the dataset in the workspace. Prints the dataset id.

Layouts:
  kitti-bev   imgs/NNNNNN.png BEV rasters plus pose.txt (one 3x4 pose per scan, 10 Hz);
              a folder of several such sequence folders imports them all
  nordland    summer/ and winter/ folders of images-NNNNN.png frames; the season is the
              condition and the sequence, the frame number is the place
  manifest    an existing apron-manifest.json (see docs/manifest.md)
  kitti-nuscenes-demo   a KITTI frame and a nuScenes sample with LiDAR, cameras and calibration
  pjlab-lidar-camera    LiDAR-camera pairs with calibration, and a LiDAR sweep sequence with poses
  argoverse2            Argoverse 2 logs: LiDAR sweeps, ego poses, ground-height raster, vector map

Options:
  --name NAME     dataset name (default: from the folder or the manifest)
  --id ID         dataset id (default: derived from the name)
  --replace       replace a dataset with the same id; its decisions are kept
${WORKSPACE_HELP}`,
  options: {
    name: { type: 'string' },
    id: { type: 'string' },
    replace: { type: 'boolean' },
  },
  maxPositionals: 2,
  async run(parsed, context) {
    const [first, second] = parsed.positionals;
    if (first === undefined) throw new UsageError('missing the dataset folder');
    let layout: DatasetLayout | undefined;
    let source = first;
    if (second === undefined && (DATASET_LAYOUTS as readonly string[]).includes(first)) {
      throw new UsageError(`missing the dataset folder after the layout "${first}"`);
    }
    if (second !== undefined) {
      if (!(DATASET_LAYOUTS as readonly string[]).includes(first)) {
        throw new UsageError(`unknown layout "${first}"; expected one of ${DATASET_LAYOUTS.join(', ')}`);
      }
      layout = first as DatasetLayout;
      source = second;
    }

    const progress = createProgress('import');
    const result = await withStore(parsed, (workspace, store) => {
      const name = stringOption(parsed.values, 'name');
      const datasetId = stringOption(parsed.values, 'id');
      return importIntoWorkspace(workspace, store, {
        source,
        ...(layout === undefined ? {} : { layout }),
        ...(name === undefined ? {} : { name }),
        ...(datasetId === undefined ? {} : { datasetId }),
        replace: parsed.values['replace'] === true,
        onProgress: (step) => progress.update(step.done, step.total, step.stage),
      });
    }, { create: true });
    progress.done(`${result.dataset.sampleCount} samples`);

    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    const counts = Object.entries(result.counts).map(([key, value]) => `${key}=${value}`).join(' ');
    process.stderr.write(`imported ${result.layout} dataset "${result.dataset.name}" (${counts})\n`);
    context.print(result.dataset.datasetId);
    return EXIT.ok;
  },
};
