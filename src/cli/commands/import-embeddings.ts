import { importEmbeddings } from '../../loop/embedding-import.js';
import { describeSearch } from '../../search/strategy.js';
import { numberOption, requireString, stringOption, UsageError } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { withStore } from '../workspace-store.js';

export const importEmbeddingsCommand: Command = {
  name: 'import-embeddings',
  summary: 'import embeddings computed elsewhere (.npy, JSON, Arrow, Parquet) as a new embedding version',
  help: `Usage: apron import-embeddings --dataset ID FILE [options]
       apron import-embeddings --append-to VERSION FILE [options]

Checks the vectors in FILE against the dataset's samples, scales them to unit length, stores them
(float32, in the manifest's sample order) as a new embedding version with no training run, and
prints its id. Mining such a version needs the mask rules and positives the vectors were trained
with: \`apron mine --embedding VERSION --positives KIND --mask-time-window S\` (see \`apron mine --help\`).

Formats (detected from the file's first bytes, then its extension):
  .npy               float32 or float16 array of shape (N, D); needs --ids
  JSON               {"ids": [...], "vectors": [[...], ...]} or [{"id": ..., "vector": [...]}, ...]
  Arrow IPC, Feather v2, Parquet
                     an id column and either one list<float> column or D numeric columns

The import fails, naming the file, on ids the dataset lacks, duplicate ids, vectors of
different dimensions, NaN or infinite values, all-zero vectors, and files over the size limit
(2 GiB for .npy and Arrow, 1 GiB for Parquet, 256 MiB for JSON).

Options:
  --dataset ID           dataset the vectors belong to (required)
  --ids FILE             sample ids of a .npy file, one per row: one id per line, or a JSON array
  --id-column NAME       id column of an Arrow or Parquet table (default: id, sample_id or sampleId)
  --vector-column NAME   list<float> column of an Arrow or Parquet table (default: the only list
                         column, else every numeric column except the id)
  --dimension N          reject the file unless its vectors have N values
  --allow-missing        accept a file without rows for some samples; the version then contains
                         only the samples present, and nothing is filled in for the others
  --note TEXT            note stored with the version (default: the source file and format)
  --append-to VERSION    append the file's rows to this existing version instead of creating one;
                         the file holds only samples the version lacks, and a saved HNSW index of
                         the version gets the new points without a rebuild (prints the version id)
${WORKSPACE_HELP}`,
  options: {
    dataset: { type: 'string' },
    ids: { type: 'string' },
    'id-column': { type: 'string' },
    'vector-column': { type: 'string' },
    dimension: { type: 'string' },
    'allow-missing': { type: 'boolean' },
    note: { type: 'string' },
    'append-to': { type: 'string' },
  },
  maxPositionals: 1,
  async run(parsed, context) {
    const appendTo = stringOption(parsed.values, 'append-to');
    const datasetOption = appendTo === undefined ? requireString(parsed.values, 'dataset') : stringOption(parsed.values, 'dataset');
    const path = parsed.positionals[0];
    if (path === undefined) throw new UsageError('missing the embeddings FILE');
    const dimension = numberOption(parsed.values, 'dimension', { min: 1, integer: true });
    const idsPath = stringOption(parsed.values, 'ids');
    const idColumn = stringOption(parsed.values, 'id-column');
    const vectorColumn = stringOption(parsed.values, 'vector-column');
    const note = stringOption(parsed.values, 'note');

    const progress = createProgress('import-embeddings');
    const steps = ['read', 'check', 'write'];
    const result = await withStore(parsed, (workspace, store) =>
      importEmbeddings(workspace, store, {
        // With --append-to and no --dataset, the version names its dataset.
        datasetId: datasetOption ?? store.getEmbeddingVersion(appendTo!).datasetId,
        ...(appendTo === undefined ? {} : { appendTo }),
        path,
        ...(idsPath === undefined ? {} : { idsPath }),
        ...(idColumn === undefined ? {} : { idColumn }),
        ...(vectorColumn === undefined ? {} : { vectorColumn }),
        ...(dimension === undefined ? {} : { dimension }),
        ...(note === undefined ? {} : { note }),
        allowMissing: parsed.values['allow-missing'] === true,
        onStep: (step, detail) => progress.update(steps.indexOf(step), steps.length, `${step} ${detail}`),
      }),
    );
    const { version, missingSampleIds } = result;
    const appended = result.appended === undefined ? '' : `, ${result.appended} rows appended`;
    progress.done(`${version.count} x ${version.dimension} from ${result.format}${appended}`);
    if (result.search !== undefined && result.search !== null) process.stderr.write(`search: ${describeSearch(result.search)}\n`);
    if (missingSampleIds.length > 0) {
      process.stderr.write(`warning: ${missingSampleIds.length} samples of dataset ${version.datasetId} have no vector in this version\n`);
    }
    context.print(version.embeddingVersionId);
    return EXIT.ok;
  },
};
