import { ApronError } from '../../core/errors.js';
import { readEmbeddingFiles } from '../../loop/embedding-file.js';
import { ExactIndex } from '../../search/exact.js';
import { numberOption, requireString } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { withStore } from '../workspace-store.js';

export const searchCommand: Command = {
  name: 'search',
  summary: 'print the samples most similar to a sample (exact cosine top-k)',
  help: `Usage: apron search --embedding VERSION --sample SAMPLE_ID [options]

Prints the k samples whose embeddings are most similar to the given sample's, by exact cosine
similarity, one per line: rank, sample id, similarity (tab-separated).

Options:
  --embedding VERSION   embedding version id
  --sample ID           sample id of the query (for example 00/000123)
  --k K                 number of results (default 10)
${WORKSPACE_HELP}`,
  options: {
    embedding: { type: 'string' },
    sample: { type: 'string' },
    k: { type: 'string' },
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const embeddingVersionId = requireString(parsed.values, 'embedding');
    const sampleId = requireString(parsed.values, 'sample');
    const k = numberOption(parsed.values, 'k', { min: 1, max: 10_000, integer: true }) ?? 10;

    const lines = await withStore(parsed, (_workspace, store) => {
      const version = store.getEmbeddingVersion(embeddingVersionId);
      const matrix = readEmbeddingFiles(version.vectorsPath);
      const row = matrix.sampleIds.indexOf(sampleId);
      if (row < 0) {
        throw new ApronError('not-found', `Sample ${sampleId} is not in embedding version ${embeddingVersionId}`, {
          hint: `Pass a sample id of the version's dataset, such as "${matrix.sampleIds[0] ?? ''}" (the sampleId fields of its apron-manifest.json, also shown on the UI's sample pages).`,
        });
      }
      const index = new ExactIndex(matrix.vectors, matrix.dimension);
      const query = matrix.vectors.subarray(row * matrix.dimension, (row + 1) * matrix.dimension);
      // The query itself comes back first with similarity 1; ask for one more and drop it.
      return index
        .search(query, Math.min(k + 1, matrix.sampleIds.length))
        .filter((neighbour) => neighbour.index !== row)
        .slice(0, k)
        .map((neighbour, position) => `${position + 1}\t${matrix.sampleIds[neighbour.index]}\t${neighbour.score.toFixed(4)}`);
    });
    for (const line of lines) context.print(line);
    return EXIT.ok;
  },
};
