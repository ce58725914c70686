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
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
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
