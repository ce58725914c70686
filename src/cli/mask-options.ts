/** Command-line options for mask rules, shared by `train`, `export-mask` and `mine` (for versions without a run). */
import type { MaskRulesInput } from '../mask/rules.js';
import { numberOption, type OptionSpec, type ParsedCommand } from './args.js';

export const MASK_OPTIONS: OptionSpec = {
  'mask-time-window': { type: 'string' },
  'mask-radius': { type: 'string' },
  'no-mask-place': { type: 'boolean' },
};

const MASK_OPTION_ROWS: Array<[string, string[]]> = [
  ['--mask-time-window S', ['never use two samples of one sequence at most S seconds apart as', 'a negative pair (default 30)']],
  ['--mask-radius M', ['never use two samples whose poses are within M metres as a negative', 'pair (default: off)']],
  ['--no-mask-place', ['allow pairs that share a placeId as negatives (default: masked)']],
];

/** Formats the help of the mask options, with descriptions starting at `column` as in the command's other options. */
export function maskOptionsHelp(column: number): string {
  return MASK_OPTION_ROWS.map(([name, lines]) =>
    lines.map((line, index) => (index === 0 ? `  ${name}`.padEnd(Math.max(column, name.length + 4)) : ' '.repeat(column)) + line).join('\n'),
  ).join('\n');
}

export const DEFAULT_MASK_TIME_WINDOW_SECONDS = 30;

/** Reads the mask rules from the command line, with defaults for rules not given. */
export function maskRulesFromOptions(values: ParsedCommand['values']): MaskRulesInput {
  const rules: MaskRulesInput = {
    sameSequenceWithinSeconds: numberOption(values, 'mask-time-window', { min: 0 }) ?? DEFAULT_MASK_TIME_WINDOW_SECONDS,
    samePlace: values['no-mask-place'] !== true,
  };
  const radius = numberOption(values, 'mask-radius', { min: 0 });
  if (radius !== undefined && radius > 0) rules.poseRadiusMetres = radius;
  return rules;
}

/** True when the user set any mask rule option explicitly. */
export function hasMaskOptions(values: ParsedCommand['values']): boolean {
  return Object.keys(MASK_OPTIONS).some((name) => values[name] !== undefined);
}
