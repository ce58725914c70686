import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { withStore } from '../workspace-store.js';

export const datasetsCommand: Command = {
  name: 'datasets',
  summary: 'list the datasets, runs, embedding versions and queues of the workspace',
  help: `Usage: apron datasets [options]

Lists each dataset with its training runs, embedding versions and suspect queues, one per line,
tab-separated, so scripts can pick the ids.

Options:
${WORKSPACE_HELP}`,
  options: {},
  maxPositionals: 0,
  async run(parsed, context) {
    await withStore(parsed, (_workspace, store) => {
      for (const dataset of store.listDatasets()) {
        context.print(['dataset', dataset.datasetId, dataset.name, `${dataset.sampleCount} samples`, dataset.importer ?? ''].join('\t'));
        for (const run of store.listTrainingRuns(dataset.datasetId)) {
          context.print(['  run', run.runId, run.status, `decisions used ${run.decisionsUsed ?? 0}`, run.startedAt].join('\t'));
        }
        for (const version of store.listEmbeddingVersions(dataset.datasetId)) {
          context.print(['  embedding', version.embeddingVersionId, `run ${version.runId ?? '-'}`, `${version.count} x ${version.dimension}`].join('\t'));
        }
        for (const queue of store.listQueues(dataset.datasetId)) {
          context.print(['  queue', queue.queueId, `embedding ${queue.embeddingVersionId}`, `${queue.decided}/${queue.size} decided`].join('\t'));
        }
      }
    });
    return EXIT.ok;
  },
};
