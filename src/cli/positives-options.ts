/** Command-line options for the positives of a training run, read by `mine` for versions without a run. */
import type { Positives } from '../mine/positives.js';
import { numberOption, stringOption, UsageError, type OptionSpec, type ParsedCommand } from './args.js';

export const POSITIVES_OPTIONS: OptionSpec = {
  positives: { type: 'string' },
  'positive-window': { type: 'string' },
};

export const POSITIVES_OPTIONS_HELP = `  --positives KIND      temporal: another sample of the same sequence within the window;
                        place: a sample of the same placeId in another sequence;
                        augment: an augmented view of the sample itself (default temporal)
  --positive-window S   temporal positive window in seconds (default 1)`;

export const DEFAULT_POSITIVE_WINDOW_SECONDS = 1;

/** Reads the positives from the command line, with the defaults of `apron train` for what is not given. */
export function positivesFromOptions(values: ParsedCommand['values']): Positives {
  const kind = stringOption(values, 'positives');
  const window = numberOption(values, 'positive-window', { min: 0.001, max: 3600 });
  if (kind !== undefined && kind !== 'temporal' && kind !== 'augment' && kind !== 'place') {
    throw new UsageError(`--positives must be temporal, augment or place, got "${kind}"`);
  }
  if (kind === 'augment' || kind === 'place') {
    if (window !== undefined) throw new UsageError('--positive-window applies to --positives temporal only');
    return { kind };
  }
  return { kind: 'temporal', windowSeconds: window ?? DEFAULT_POSITIVE_WINDOW_SECONDS };
}

/** True when the user set any positives option explicitly. */
export function hasPositivesOptions(values: ParsedCommand['values']): boolean {
  return Object.keys(POSITIVES_OPTIONS).some((name) => values[name] !== undefined);
}
