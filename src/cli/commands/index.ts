/** Every `apron` sub-command, in the order `apron --help` lists them. */
import type { Command } from '../command.js';
import { datasetsCommand } from './datasets.js';
import { demoCommand } from './demo.js';
import { embedCommand } from './embed.js';
import { exportHardNegativesCommand } from './export-hard-negatives.js';
import { exportMaskCommand } from './export-mask.js';
import { importCommand } from './import.js';
import { importEmbeddingsCommand } from './import-embeddings.js';
import { mineCommand } from './mine.js';
import { searchCommand } from './search.js';
import { serveCommand } from './serve.js';
import { trainCommand } from './train.js';
import { trainCrossModalCommand } from './train-crossmodal.js';

export const COMMANDS: Command[] = [importCommand, datasetsCommand, trainCommand, trainCrossModalCommand, embedCommand, importEmbeddingsCommand, mineCommand, searchCommand, serveCommand, exportMaskCommand, exportHardNegativesCommand, demoCommand];
