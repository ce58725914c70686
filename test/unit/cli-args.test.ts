import { describe, expect, it } from 'vitest';
import { numberOption, parseCommand, UsageError } from '../../src/cli/args.js';

const options = { stands: { type: 'string' }, size: { type: 'string' }, prepare: { type: 'boolean' } } as const;

describe('command-line options', () => {
  it('read a negative number as the value of the option before it', () => {
    const parsed = parseCommand(['--stands', '-3', '--size', 'tiny'], { ...options }, 0);
    expect(parsed.values['stands']).toBe('-3');
    expect(() => numberOption(parsed.values, 'stands', { min: 1 })).toThrow('--stands must be at least 1, got -3');
  });

  it('still report a missing value and a misplaced flag', () => {
    expect(() => parseCommand(['--stands'], { ...options }, 0)).toThrow(UsageError);
    expect(() => parseCommand(['--stands', '--prepare'], { ...options }, 0)).toThrow('--stands needs a value');
    expect(() => parseCommand(['--prepare', '-3'], { ...options }, 0)).toThrow(UsageError);
  });
});
