import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApronError } from '../../core/errors.js';
import { maskRulesSchema } from '../../mask/rules.js';
import { exportMaskFromStore } from '../../mask/export.js';
import { policyOfRunConfig } from '../../loop/run-policy.js';
import { requireString, stringOption } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { hasMaskOptions, MASK_OPTIONS, maskOptionsHelp, maskRulesFromOptions } from '../mask-options.js';
import { withStore } from '../workspace-store.js';

export const exportMaskCommand: Command = {
  name: 'export-mask',
  summary: 'write the mask (rule-based non-negatives plus same decisions) for training code',
  help: `Usage: apron export-mask --dataset ID --out FILE [options]

Writes the dataset's mask as JSON (format "apron-mask" version 1, see docs/mask-format.md): the
mask rules, the groups of samples joined by \`same\` decisions (closed transitively), the decided
pairs and the conflicts (a \`different\` decision inside a group). With --pairs, also writes every
masked pair explicitly as CSV (sample_a,sample_b,reason).

The rules are those of --run, else of the dataset's latest completed training run, else the
rule options below.

Options:
  --dataset ID     dataset id
  --out FILE       output JSON file
  --pairs FILE     also write the explicit CSV of masked pairs
  --run RUN        take the mask rules from this training run
${maskOptionsHelp(19)}
${WORKSPACE_HELP}`,
  options: {
    dataset: { type: 'string' },
    out: { type: 'string' },
    pairs: { type: 'string' },
    run: { type: 'string' },
    ...MASK_OPTIONS,
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const datasetId = requireString(parsed.values, 'dataset');
    const jsonPath = requireString(parsed.values, 'out');
    const pairsPath = stringOption(parsed.values, 'pairs');
    const runId = stringOption(parsed.values, 'run');
    for (const path of [jsonPath, pairsPath]) {
      if (path !== undefined && !existsSync(dirname(resolve(path)))) {
        throw new ApronError('not-found', `Output folder ${dirname(resolve(path))} does not exist`, {
          path,
          hint: 'Create the folder first, or check the --out and --pairs paths.',
        });
      }
    }

    const result = await withStore(parsed, (_workspace, store) => {
      store.getDataset(datasetId);
      let rules = maskRulesSchema.parse(maskRulesFromOptions(parsed.values));
      if (runId !== undefined) {
        const run = store.getTrainingRun(runId);
        if (run.datasetId !== datasetId) {
          throw new ApronError('invalid-input', `Training run ${runId} belongs to dataset ${run.datasetId}, not ${datasetId}`);
        }
        rules = policyOfRunConfig(run.config, runId).maskRules;
      } else if (!hasMaskOptions(parsed.values)) {
        const latest = store.listTrainingRuns(datasetId).filter((run) => run.status === 'completed').at(-1);
        if (latest !== undefined) rules = policyOfRunConfig(latest.config, latest.runId).maskRules;
      }
      return exportMaskFromStore(store, datasetId, {
        rules,
        jsonPath,
        ...(pairsPath === undefined ? {} : { pairsPath }),
      });
    });

    const counts = result.document.counts;
    process.stderr.write(
      `mask: ${counts.maskedPairs} masked pairs over ${counts.samples} samples; ` +
        `${counts.groups} group(s) of same decisions, ${counts.conflicts} conflict(s)\n`,
    );
    context.print(result.jsonPath);
    if (result.pairsPath !== null) context.print(result.pairsPath);
    return EXIT.ok;
  },
};
