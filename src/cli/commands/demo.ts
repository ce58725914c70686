import { join, resolve } from 'node:path';
import { defaultWorkspaceRoot } from '../../core/workspace.js';
import { DEMO_SIZES, SIZE_PRESETS, type DemoOptions, type DemoSize } from '../../demo/options.js';
import { DEMO_DATASET_ID, prepareDemoWorkspace, type DemoStage } from '../../loop/demo-workspace.js';
import { generateDemo } from '../../demo/generate.js';
import { GSE_CLASSES } from '../../demo/gse.js';
import { numberOption, stringOption, UsageError, type ParsedCommand } from '../args.js';
import { WORKSPACE_HELP, type Command, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { withStore } from '../workspace-store.js';

const sizeLines = DEMO_SIZES.map((size) => {
  const preset = SIZE_PRESETS[size];
  const samples = preset.standCount * preset.visitCount * preset.framesPerStand;
  return `  ${size.padEnd(7)} ${String(samples).padStart(6)} samples: ${preset.standCount} stands, ${preset.visitCount} visits, ${preset.framesPerStand} frame(s) per stand`;
});

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate a synthetic airside dataset with ground truth (camera, LiDAR, BEV)',
  help: `Usage: apron demo [options]

Generates a deterministic airside dataset: repeated drives past a row of aircraft stands in
clear weather, rain, fog and snow, by day, at dusk and at night. Each sample has a camera image,
a LiDAR sweep (KITTI .bin), a BEV raster and ground truth: the stand it faces (placeId) and the
aircraft and ground-support equipment in view with their track ids, classes and boxes. The same
size and seed always give the same files. Prints the manifest path; import it with
\`apron import <manifest>\`.

Sizes:
${sizeLines.join('\n')}

Options:
  --size SIZE       tiny, small, medium or large (default: small)
  --seed N          seed of the layout, the visits and the sensor noise, 0 to 4294967295 (default: 1)
  --out DIR         output folder; it must be new, empty or an earlier demo, which is replaced
                    (default: <workspace>/data/demo-airside-<size>-<seed>)
  --visits N        number of drives, overriding the size's count
  --stands N        number of stands, 1 to 99, overriding the size's count
  --frames N        frames per stand on each drive, 1 to 8 (the stop plus in-between frames)
  --gse LIST        comma-separated equipment classes to place (default: all of
                    ${GSE_CLASSES.join(', ')})
  --workers N       worker threads that render samples (default: 2 on a machine with 2 or more
                    cores once the run has 200 samples, else 1)
  --prepare         set up a workspace that has no dataset: generate the demo (--size, --seed),
                    import it as \`${DEMO_DATASET_ID}\`, train a first encoder, embed the samples
                    and mine a suspect queue. Steps already done are skipped, so an interrupted
                    setup continues; a workspace with other datasets is left alone. \`npm start\`
                    runs this before opening the UI. Prints the queue id.
${WORKSPACE_HELP}`,
  options: {
    size: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    visits: { type: 'string' },
    stands: { type: 'string' },
    frames: { type: 'string' },
    gse: { type: 'string' },
    workers: { type: 'string' },
    prepare: { type: 'boolean' },
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const size = stringOption(parsed.values, 'size') ?? 'small';
    const seed = numberOption(parsed.values, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1 }) ?? 1;
    const workspaceRoot = resolve(stringOption(parsed.values, 'workspace') ?? defaultWorkspaceRoot());
    if (parsed.values['prepare'] === true) return prepare(parsed, context, size, seed);
    const outDir = stringOption(parsed.values, 'out') ?? join(workspaceRoot, 'data', `demo-airside-${size}-${seed}`);

    const options: DemoOptions = { size, seed, outDir, signal: context.signal };
    const visitCount = numberOption(parsed.values, 'visits', { integer: true, min: 1 });
    const standCount = numberOption(parsed.values, 'stands', { integer: true, min: 1 });
    const framesPerStand = numberOption(parsed.values, 'frames', { integer: true, min: 1 });
    const workers = numberOption(parsed.values, 'workers', { integer: true, min: 1 });
    const gse = stringOption(parsed.values, 'gse');
    if (visitCount !== undefined) options.visitCount = visitCount;
    if (standCount !== undefined) options.standCount = standCount;
    if (framesPerStand !== undefined) options.framesPerStand = framesPerStand;
    if (workers !== undefined) options.workers = workers;
    if (gse !== undefined) options.gseClasses = gse.split(',').map((name) => name.trim()).filter((name) => name !== '');

    const progress = createProgress('demo');
    options.onProgress = (done, total) => progress.update(done, total);
    const result = await generateDemo(options);
    progress.done(`${result.sampleCount} samples in ${result.outDir}`);
    context.print(result.manifestPath);
    return EXIT.ok;
  },
};

/** `--prepare`: the embedded default that `npm start` sets up in an empty workspace. */
async function prepare(parsed: ParsedCommand, context: CommandContext, size: string, seed: number): Promise<number> {
  if (!(DEMO_SIZES as readonly string[]).includes(size)) {
    throw new UsageError(`Unknown demo size "${size}"; use one of: ${DEMO_SIZES.join(', ')}.`);
  }

  return withStore(
    parsed,
    async (workspace, store) => {
      const others = store.listDatasets().filter((dataset) => dataset.datasetId !== DEMO_DATASET_ID);
      if (others.length > 0 && store.findDataset(DEMO_DATASET_ID) === undefined) {
        process.stderr.write(`demo: the workspace has ${others.length} dataset(s) of its own; not adding the demo\n`);
        return EXIT.ok;
      }

      let progress: ReturnType<typeof createProgress> | undefined;
      let current: DemoStage | undefined;
      const prepared = await prepareDemoWorkspace(workspace, store, {
        size: size as DemoSize,
        seed,
        signal: context.signal,
        onProgress: (stage, done, total) => {
          if (stage !== current) {
            progress?.done();
            current = stage;
            progress = createProgress(`demo ${STAGE_LABELS[stage]}`);
          }
          if (done !== undefined && total !== undefined) progress?.update(done, total);
        },
      });
      progress?.done();
      if (prepared.ran.length > 0) process.stderr.write(`demo: ready in ${workspace.root}: dataset ${prepared.datasetId}, queue ${prepared.queueId}\n`);
      context.print(prepared.queueId);
      return EXIT.ok;
    },
    { create: true },
  );
}

const STAGE_LABELS: Record<DemoStage, string> = {
  generate: 'generating samples',
  import: 'importing',
  train: 'training a first encoder (steps)',
  embed: 'embedding',
  mine: 'mining suspects (pairs scored)',
};
