import { mineQueue } from '../../loop/mine.js';
import { describeSearch, parseSearchMode } from '../../search/strategy.js';
import { maskRulesSchema } from '../../mask/rules.js';
import { numberOption, requireString, stringOption, type ParsedCommand } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { hasMaskOptions, MASK_OPTIONS, maskOptionsHelp, maskRulesFromOptions } from '../mask-options.js';
import { hasPositivesOptions, POSITIVES_OPTIONS, POSITIVES_OPTIONS_HELP, positivesFromOptions } from '../positives-options.js';
import { createProgress } from '../progress.js';
import type { NegativePolicyOfRun } from '../../loop/run-policy.js';
import { withStore } from '../workspace-store.js';

export const mineCommand: Command = {
  name: 'mine',
  summary: 'mine a queue of suspected false negatives from an embedding version',
  help: `Usage: apron mine --embedding VERSION [options]

Finds the pairs that the embedding version's training run treated as negatives (not masked by
its rules, not its positives, not in a group of \`same\` decisions) and that the embeddings now
place closest, and stores them as a review queue, most similar first. Pairs a reviewer already
decided are left out. Each suspect carries its evidence: similarity, rank among the sample's
negatives, time gap, and when poses exist the distance and heading difference. Prints the queue id.

Options:
  --embedding VERSION   embedding version id (printed by \`apron embed\`, listed by \`apron datasets\`)
  --per-sample K        suspects each sample contributes before ranking (default 10)
  --limit N             keep the N most similar suspects (default 2000)
  --search MODE         exact, approximate (HNSW index saved beside the vectors) or auto
                        (default: $APRON_SEARCH, else auto: exact while rows^2 x dimension
                        stays within 1.5e10, about 10,800 rows at dimension 128)
  --exact-max-rows N    with auto, search exactly up to N rows instead

Mask rules and positives, for a version without a training run (imported with
\`apron import-embeddings\`). Give the ones the embeddings were trained with. A version made by
\`apron embed\` is mined with its run's rules, and these options are rejected for it.
${maskOptionsHelp(24)}
${POSITIVES_OPTIONS_HELP}

${WORKSPACE_HELP}`,
  options: {
    embedding: { type: 'string' },
    'per-sample': { type: 'string' },
    limit: { type: 'string' },
    search: { type: 'string' },
    'exact-max-rows': { type: 'string' },
    ...MASK_OPTIONS,
    ...POSITIVES_OPTIONS,
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const embeddingVersionId = requireString(parsed.values, 'embedding');
    const perSample = numberOption(parsed.values, 'per-sample', { min: 1, max: 1000, integer: true });
    const limit = numberOption(parsed.values, 'limit', { min: 1, integer: true }) ?? 2000;
    const searchOption = stringOption(parsed.values, 'search');
    const search = searchOption === undefined ? undefined : parseSearchMode(searchOption, '--search');
    const exactMaxRows = numberOption(parsed.values, 'exact-max-rows', { min: 0, integer: true });
    const policy = policyFromOptions(parsed.values);

    const progress = createProgress('mine');
    const result = await withStore(parsed, (_workspace, store) =>
      mineQueue(store, {
        embeddingVersionId,
        limit,
        ...(policy === undefined ? {} : { policy }),
        ...(perSample === undefined ? {} : { perSample }),
        ...(search === undefined ? {} : { search }),
        ...(exactMaxRows === undefined ? {} : { exactMaxRows }),
        onIndexProgress: (done, total) => progress.update(done, total, 'rows added to the HNSW index'),
        onProgress: (done, total) => progress.update(done, total, 'searched'),
      }),
    );
    progress.done(`${result.queue.size} suspects, ${describeSearch(result.search)}`);
    context.print(result.queue.queueId);
    return EXIT.ok;
  },
};

/** Reads the mask rules and positives from the command line, or returns undefined when none of their options is set. */
function policyFromOptions(values: ParsedCommand['values']): NegativePolicyOfRun | undefined {
  if (!hasMaskOptions(values) && !hasPositivesOptions(values)) return undefined;
  return { maskRules: maskRulesSchema.parse(maskRulesFromOptions(values)), positives: positivesFromOptions(values) };
}
