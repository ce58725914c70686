import { embedInWorkspace } from '../../loop/embed.js';
import { numberOption, requireString } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { withStore } from '../workspace-store.js';

export const embedCommand: Command = {
  name: 'embed',
  summary: 'embed every sample with a run\'s checkpoint as a new embedding version',
  help: `Usage: apron embed --run RUN [options]

Embeds every sample of the run's dataset with the run's checkpoint, in a worker thread, and
stores the vectors (unit length, float32) as a new embedding version. Prints its id.

Options:
  --run RUN          training run id (printed by \`apron train\`, listed by \`apron datasets\`)
  --batch-size N     images per forward pass (default 128)
${WORKSPACE_HELP}`,
  options: {
    run: { type: 'string' },
    'batch-size': { type: 'string' },
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const runId = requireString(parsed.values, 'run');
    const batchSize = numberOption(parsed.values, 'batch-size', { min: 1, max: 4096, integer: true });

    const loading = createProgress('load images');
    const progress = createProgress('embed');
    const version = await withStore(parsed, (workspace, store) =>
      embedInWorkspace(workspace, store, {
        runId,
        ...(batchSize === undefined ? {} : { batchSize }),
        signal: context.signal,
        onLoadProgress: (done, total) => loading.update(done, total),
        onProgress: (done, total) => progress.update(done, total),
      }),
    );
    progress.done(`${version.count} x ${version.dimension}`);
    context.print(version.embeddingVersionId);
    return EXIT.ok;
  },
};
