/** The shape of one `apron` sub-command. */
import type { OptionSpec, ParsedCommand } from './args.js';

export interface CommandContext {
  /** Aborted on Ctrl-C, so long work stops after saving what is complete. */
  signal: AbortSignal;
  /** Write a line of command output to stdout. */
  print(line: string): void;
  /** Run `hook` synchronously if the user quits at once with a second Ctrl-C. */
  onForcedExit(hook: () => void): void;
}

export interface Command {
  name: string;
  summary: string;
  /** Full help text shown by `apron <command> --help`. */
  help: string;
  options: OptionSpec;
  maxPositionals: number;
  run(parsed: ParsedCommand, context: CommandContext): Promise<number>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: OptionSpec = {
  workspace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const WORKSPACE_HELP = `  --workspace DIR   workspace folder holding the store, manifests, runs and embeddings
                    (default: $APRON_HOME, else ~/.local/share/apron on Linux)`;
