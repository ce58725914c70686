/** Command-line parsing on top of node:util parseArgs, with usage errors that name the option. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommand(argv: string[], options: OptionSpec, maxPositionals: number): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), allowPositionals: true, options, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }, options));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

export function stringOption(values: ParsedCommand['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requireString(values: ParsedCommand['values'], name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new UsageError(`missing required option --${name}`);
  return value;
}

/** Parse a numeric option, rejecting text, NaN and values outside [min, max]. */
export function numberOption(
  values: ParsedCommand['values'],
  name: string,
  limits: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (limits.integer === true && !Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  if (limits.min !== undefined && value < limits.min) throw new UsageError(`--${name} must be at least ${limits.min}, got ${raw}`);
  if (limits.max !== undefined && value > limits.max) throw new UsageError(`--${name} must be at most ${limits.max}, got ${raw}`);
  return value;
}

/**
 * Joins `--option -3` into `--option=-3` for options that take a value, because node:util reads a
 * value that starts with a dash as the next option and would report the option as missing its value.
 */
function joinNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
      continue;
    }
    joined.push(arg);
  }
  return joined;
}

/** Reword node:util's parse errors, which suggest `--` escapes, into what the user should fix. */
function describeParseError(error: Error & { code?: string }, options: OptionSpec): string {
  const quoted = /'(-{1,2}[^'\s]+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) {
    const suggestion = closestOption(quoted.replace(/^-+/, ''), Object.keys(options));
    return `unknown option ${quoted}` + (suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`);
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted !== undefined) {
    const option = quoted.split(' ')[0] ?? quoted;
    return options[option.replace(/^-+/, '')]?.type === 'boolean' ? `${option} takes no value` : `${option} needs a value`;
  }
  return error.message;
}

/** Finds the known option nearest to `typed` by edit distance, when it is close enough to be a typo. */
function closestOption(typed: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(typed.length / 3)) + 1;
  for (const name of known) {
    const distance = editDistance(typed, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
