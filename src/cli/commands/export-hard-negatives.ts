import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/fs.js';
import { readManifest } from '../../dataset/manifest-io.js';
import { buildHardNegativesDocument } from '../../retrieval/hard-negative-set.js';
import { requireString } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { withStore } from '../workspace-store.js';

export const exportHardNegativesCommand: Command = {
  name: 'export-hard-negatives',
  summary: 'write the pairs confirmed on the hard-negative board as JSON for training code',
  help: `Usage: apron export-hard-negatives --dataset ID --out FILE [options]

Writes the dataset's hard-negative set as JSON (format "apron-hard-negatives" version 1, see
docs/hard-negatives.md): every pair confirmed on the hard-negative board of \`apron serve\` whose
confirmation is still the pair's latest decision, with its reviewer, time and the main class and
place of both samples.

Options:
  --dataset ID     dataset id
  --out FILE       output JSON file
${WORKSPACE_HELP}`,
  options: {
    dataset: { type: 'string' },
    out: { type: 'string' },
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const datasetId = requireString(parsed.values, 'dataset');
    const outPath = resolve(requireString(parsed.values, 'out'));
    if (!existsSync(dirname(outPath))) {
      throw new ApronError('not-found', `Output folder ${dirname(outPath)} does not exist`, {
        path: outPath,
        hint: 'Create the folder first, or check the --out path.',
      });
    }

    const document = await withStore(parsed, (_workspace, store) => {
      const dataset = readManifest(store.getDataset(datasetId).manifestPath);
      return buildHardNegativesDocument(store, datasetId, dataset, new Date().toISOString());
    });
    writeFileAtomic(outPath, `${JSON.stringify(document, null, 2)}\n`);
    process.stderr.write(`hard negatives: ${document.count} confirmed pair(s) of dataset ${datasetId}\n`);
    context.print(outPath);
    return EXIT.ok;
  },
};
