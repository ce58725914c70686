#!/usr/bin/env node
/**
 * `apron`: the command line of the engine. Each sub-command lives in its own file under
 * commands/; this file parses the command name, prints help and maps errors to exit codes.
 */
import { ApronError, formatError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { parseCommand, UsageError } from './args.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.js';
import { COMMANDS } from './commands/index.js';

const log = createLogger('cli');

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Apron: audit false negatives in contrastive training on sensor data.

Usage: apron <command> [options]

Commands:
${lines.join('\n')}

Run \`apron <command> --help\` for the options of a command.

The loop: import a dataset, train an encoder, embed every sample, mine suspected false
negatives, review them in the browser (\`apron serve\`), then train again: the next run masks
every pair reviewers decided is the same place, and \`apron export-mask\` writes that mask.

${EXIT_CODES_HELP}`;
}

async function runCommand(command: Command, argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, { ...COMMON_OPTIONS, ...command.options }, command.maxPositionals);
  if (parsed.values['help'] === true) {
    process.stdout.write(`${command.help}\n\n${EXIT_CODES_HELP}\n`);
    return EXIT.ok;
  }

  const controller = new AbortController();
  const forcedExitHooks: (() => void)[] = [];
  const onSignal = (): void => {
    if (controller.signal.aborted) {
      // A second Ctrl-C quits at once; hooks record what the interrupted work leaves behind.
      for (const hook of forcedExitHooks) {
        try {
          hook();
        } catch (error) {
          log.error('cleaning up after a forced exit failed', error);
        }
      }
      process.exit(EXIT.cancelled);
    }
    process.stderr.write('\nstopping after the work in progress (press Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  try {
    return await command.run(parsed, {
      signal: controller.signal,
      print: (line) => process.stdout.write(`${line}\n`),
      onForcedExit: (hook) => forcedExitHooks.push(hook),
    });
  } finally {
    process.off('SIGINT', onSignal);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...others] = argv;
  // `apron help train` reads as `apron train --help`.
  const [name, ...rest] = first === 'help' && others.length > 0 ? [others[0], '--help'] : [first, ...others];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainHelp()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    process.stdout.write('apron 0.1.0\n');
    return EXIT.ok;
  }

  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    process.stderr.write(`error: unknown command "${name}"\n  hint: run \`apron --help\` for the list of commands\n`);
    return EXIT.usage;
  }

  try {
    return await runCommand(command, rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n  hint: run \`apron ${command.name} --help\`\n`);
      return EXIT.usage;
    }
    process.stderr.write(`${formatError(error)}\n`);
    if (error instanceof ApronError) return exitCodeFor(error.code);
    log.error(`apron ${command.name} failed unexpectedly`, error);
    return EXIT.failure;
  }
}
