import { serveWorkspace } from '../../server/serve-workspace.js';
import { numberOption, stringOption } from '../args.js';
import { WORKSPACE_HELP, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const DEFAULT_PORT = 4780;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the review UI to a browser (127.0.0.1 by default)',
  help: `Usage: apron serve [options]

Serves Apron's UI and API over HTTP for a browser, on the loopback address unless told
otherwise. Stop it with Ctrl-C.

Options:
  --host HOST   address to listen on (default 127.0.0.1; anything else exposes the
                workspace to the network without authentication)
  --port PORT   TCP port (default ${DEFAULT_PORT}; 0 picks a free port)
${WORKSPACE_HELP}`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
  },
  maxPositionals: 0,
  async run(parsed, context) {
    const host = stringOption(parsed.values, 'host') ?? '127.0.0.1';
    const port = numberOption(parsed.values, 'port', { min: 0, max: 65535, integer: true }) ?? DEFAULT_PORT;
    const workspaceRoot = stringOption(parsed.values, 'workspace');

    const served = await serveWorkspace({ host, port, ...(workspaceRoot === undefined ? {} : { workspaceRoot }) });
    process.stderr.write(`workspace: ${served.workspace.root}\n`);
    context.print(`Apron is serving on ${served.url}  (open it in a browser; Ctrl-C stops)`);

    await new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await served.close();
    return EXIT.ok;
  },
};
