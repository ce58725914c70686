/**
 * Data-parallel training steps of masked InfoNCE over one or two replica worker threads, each with
 * its own wasm backend and an identical encoder and Adam optimizer.
 *
 * The caller draws batches as the single-thread trainer does (BatchSampler on the engine thread)
 * and passes each one to `step`. The coordinator copies the batch's augmented views once into
 * shared memory, worker w embeds the w-th block of rows, and the workers exchange embeddings and
 * sum their gradients through shared memory (see replica.ts). So the decoded image stack stays on
 * the engine thread, no worker gets a copy of it, and each worker copies only its own block of views.
 *
 * The result is the single-thread step's, up to float rounding in the order of the gradient sums,
 * and with one worker it is the same computation as the trainer's step.
 */
import type { Worker } from 'node:worker_threads';
import { ApronError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import type { Batch } from '../batches.js';
import type { EncoderConfigInput } from '../encoder.js';
import { encoderConfigSchema } from '../encoder.js';
import type { AdamState } from './adam-state.js';
import { abortBarrier, splitRows } from './barrier.js';
import { CONTROL_SLOTS, type FromReplicaMessage, type StepBuffers, type ToReplicaMessage } from './protocol.js';
import { startReplicaWorker } from './start-worker.js';

const log = createLogger('train');

export interface DataParallelOptions {
  /**
   * Replica worker threads. Two pay off on a machine with at least two free cores.
   * NOTE: on a 2-core AMD EPYC VM shared with other jobs (load about 2), bench-two-workers.ts
   * measured 1.53x the one-worker throughput at batch 64 and 1.64x at batch 128.
   */
  workers: 1 | 2;
  encoderConfig: EncoderConfigInput;
  /** Seed of the initial weights, as for Encoder.create. */
  seed: number;
  /** Initial weights by parameter name (for example from a checkpoint), in place of the seed's. */
  weights?: Map<string, Float32Array>;
  /** Adam's state to continue from, as readOptimizerState returns it. */
  optimizerState?: AdamState;
  learningRate: number;
  temperature: number;
  /** Preferred TensorFlow.js backend of the workers, as for initBackend. */
  backend?: string;
}

/** The parts of a Batch that a step reads. */
export type StepBatch = Pick<Batch, 'size' | 'positives' | 'validNegatives' | 'pixels' | 'negativeWeights'>;

export interface DataParallelStepResult {
  loss: number;
  /** Anchors whose negatives were all masked (their loss is 0). */
  rowsWithoutNegatives: number;
  /** The batch's 2B embeddings before the scaling to unit length, when `keepEmbeddings` was set. */
  embeddings?: { values: Float32Array; rows: number; columns: number };
}

export interface DataParallelStepper {
  readonly workers: number;
  /** The workers' TensorFlow.js backend. */
  readonly backend: string;
  readonly parameterCount: number;
  /** Runs one Adam step on `batch` in every replica. Steps run one at a time. */
  step(batch: StepBatch, options?: { keepEmbeddings?: boolean }): Promise<DataParallelStepResult>;
  /** Copies the weights out of replica `rank` (default 0). All replicas have the same weights. */
  readWeights(rank?: number): Promise<Map<string, Float32Array>>;
  /** Copies Adam's state out of replica 0, or returns undefined before the first step. */
  readOptimizerState(): Promise<AdamState | undefined>;
  /** Stops the workers. Safe to call more than once. A step in flight rejects. */
  dispose(): Promise<void>;
}

interface Pending {
  resolve: (message: FromReplicaMessage) => void;
  reject: (error: Error) => void;
}

/** Starts the replica workers and resolves once every one has its backend and weights. */
export async function createDataParallelStepper(options: DataParallelOptions): Promise<DataParallelStepper> {
  if (options.workers !== 1 && options.workers !== 2) {
    throw new ApronError('invalid-input', `Data-parallel training takes 1 or 2 workers, got ${String(options.workers)}`, {
      hint: 'Use 2 workers on a machine with two free cores and 1 otherwise.',
    });
  }
  if (!(options.temperature > 0) || !(options.learningRate > 0)) {
    throw new ApronError('invalid-input', `Temperature and learning rate must be positive, got ${options.temperature} and ${options.learningRate}`);
  }
  const encoderConfig = encoderConfigSchema.parse(options.encoderConfig);
  const coordinator = new Coordinator(options, encoderConfig.imageHeight * encoderConfig.imageWidth);
  try {
    await coordinator.start();
  } catch (error) {
    await coordinator.dispose();
    throw error;
  }
  return coordinator;
}

class Coordinator implements DataParallelStepper {
  readonly workers: number;
  backend = '';
  parameterCount = 0;
  private embeddingDim = 0;
  private readonly control = new SharedArrayBuffer(CONTROL_SLOTS * 4);
  private readonly threads: Worker[] = [];
  private readonly pending: Array<Pending | undefined> = [];
  private buffers: StepBuffers | undefined;
  private bufferViews = 0;
  /** The first failure of a worker. The replicas may differ after it, so no further step may run. */
  private failure: Error | undefined;
  private busy = false;
  private disposed = false;

  constructor(
    private readonly options: DataParallelOptions,
    private readonly pixelsPerImage: number,
  ) {
    this.workers = options.workers;
  }

  async start(): Promise<void> {
    for (let rank = 0; rank < this.workers; rank++) {
      const init = {
        rank,
        workers: this.workers,
        encoderConfig: this.options.encoderConfig,
        seed: this.options.seed,
        learningRate: this.options.learningRate,
        temperature: this.options.temperature,
        control: this.control,
        ...(this.options.weights === undefined ? {} : { weights: this.options.weights }),
        ...(this.options.optimizerState === undefined ? {} : { optimizerState: this.options.optimizerState }),
        ...(this.options.backend === undefined ? {} : { backend: this.options.backend }),
      };
      const worker = startReplicaWorker(init);
      this.threads.push(worker);
      this.pending.push(undefined);
      this.listen(worker, rank);
    }

    const ready = await Promise.all(this.threads.map((_, rank) => this.nextMessage(rank)));
    for (const message of ready) {
      if (message.type !== 'ready') throw new Error(`A replica worker sent ${message.type} before ready`);
      this.parameterCount = message.parameterCount;
      this.embeddingDim = message.embeddingDim;
      this.backend = message.backend;
    }
    log.info(`data-parallel training: ${this.workers} replica worker(s) on ${this.backend}, ${this.parameterCount} parameters`);
  }

  private listen(worker: Worker, rank: number): void {
    worker.on('message', (message: FromReplicaMessage) => {
      if (message.type !== 'error') {
        this.settle(rank)?.resolve(message);
        return;
      }
      const { code, message: text, hint, path } = message.error;
      const error = new ApronError(code, `Replica worker ${rank}: ${text}`, { ...(hint === undefined ? {} : { hint }), ...(path === undefined ? {} : { path }) });
      this.markFailed(error);
      this.settle(rank)?.reject(error);
    });
    worker.on('error', (error) => {
      const crash = new ApronError('internal', `Replica worker ${rank} crashed: ${error.message}`, { cause: error });
      this.markFailed(crash);
      this.settle(rank)?.reject(crash);
    });
    worker.on('exit', (code) => {
      if (this.disposed) return;
      const exit = new ApronError('internal', `Replica worker ${rank} exited with code ${code}`);
      this.markFailed(exit);
      this.settle(rank)?.reject(exit);
    });
  }

  /** Removes and returns the request waiting for worker `rank`, if any. */
  private settle(rank: number): Pending | undefined {
    const waiter = this.pending[rank];
    this.pending[rank] = undefined;
    return waiter;
  }

  /**
   * Records the first failure and wakes the workers waiting at the barrier. Each of them then
   * replies with its own error, so their requests are settled by their replies.
   */
  private markFailed(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    if (!this.disposed) log.error('data-parallel training stopped', error);
    abortBarrier(new Int32Array(this.control));
  }

  /** Resolves with the next message of worker `rank`. */
  private nextMessage(rank: number): Promise<FromReplicaMessage> {
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) reject(this.failure);
      else this.pending[rank] = { resolve, reject };
    });
  }

  private send(rank: number, message: ToReplicaMessage): Promise<FromReplicaMessage> {
    const reply = this.nextMessage(rank);
    this.threads[rank]!.postMessage(message);
    return reply;
  }

  private checkUsable(): void {
    if (this.disposed) throw new ApronError('invalid-input', 'The data-parallel stepper was disposed', { hint: 'Create a new stepper.' });
    if (this.failure !== undefined) {
      throw new ApronError('internal', `The data-parallel stepper stopped after an error: ${this.failure.message}`, {
        hint: 'Dispose it and create a new one from the last saved weights.',
      });
    }
    if (this.busy) throw new ApronError('invalid-input', 'A data-parallel step or read is already running', { hint: 'Await each call before the next one.' });
  }

  async step(batch: StepBatch, options: { keepEmbeddings?: boolean } = {}): Promise<DataParallelStepResult> {
    this.checkUsable();
    const views = this.checkBatch(batch);
    const buffers = this.buffersFor(views);
    new Float32Array(buffers.pixels, 0, batch.pixels.length).set(batch.pixels);

    this.busy = true;
    try {
      const blocks = splitRows(views, this.workers);
      const settled = await Promise.allSettled(
        blocks.map((block, rank) =>
          this.send(rank, {
            type: 'step',
            views,
            rowStart: block.start,
            rowEnd: block.end,
            positives: batch.positives,
            validNegatives: batch.validNegatives,
            ...(batch.negativeWeights === undefined ? {} : { negativeWeights: batch.negativeWeights }),
            buffers,
          }),
        ),
      );
      const replies = settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined));
      const reasons = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as Error] : []));
      // A worker woken by the aborted barrier fails with `cancelled`, so another worker's error is the cause.
      const cause = reasons.find((reason) => !(reason instanceof ApronError && reason.code === 'cancelled')) ?? reasons[0];
      if (cause !== undefined) throw cause;

      const first = replies[0];
      if (first?.type !== 'step-done') throw new Error(`Replica worker 0 sent ${String(first?.type)} in reply to a step`);

      const result: DataParallelStepResult = { loss: first.loss, rowsWithoutNegatives: first.rowsWithoutNegatives };
      if (options.keepEmbeddings === true) {
        result.embeddings = { values: new Float32Array(buffers.embeddings, 0, views * this.embeddingDim).slice(), rows: views, columns: this.embeddingDim };
      }
      return result;
    } finally {
      this.busy = false;
    }
  }

  /** Checks that the batch's arrays agree with its size and the encoder, and returns its number of views. */
  private checkBatch(batch: StepBatch): number {
    const views = 2 * batch.size;
    const hint = 'Pass a batch drawn by BatchSampler for this encoder\'s image size.';
    if (!Number.isInteger(batch.size) || batch.size < 1) throw new ApronError('invalid-input', `Batch size must be a positive integer, got ${batch.size}`, { hint });
    if (views < this.workers) throw new ApronError('invalid-input', `A batch of ${views} views cannot be split over ${this.workers} workers`, { hint });
    if (batch.positives.length !== views) throw new ApronError('invalid-input', `The batch has ${batch.positives.length} positive indices, expected ${views}`, { hint });
    if (batch.validNegatives.length !== views * views) {
      throw new ApronError('invalid-input', `The batch's validNegatives mask has ${batch.validNegatives.length} entries, expected ${views} x ${views}`, { hint });
    }
    if (batch.negativeWeights !== undefined && batch.negativeWeights.length !== views * views) {
      throw new ApronError('invalid-input', `The batch's negativeWeights have ${batch.negativeWeights.length} entries, expected ${views} x ${views}`, { hint });
    }
    if (batch.pixels.length !== views * this.pixelsPerImage) {
      throw new ApronError('invalid-input', `The batch has ${batch.pixels.length} pixels, expected ${views} views of ${this.pixelsPerImage}`, { hint });
    }
    return views;
  }

  /** Returns shared buffers for at least `views` views, replacing them when the batch is larger than before. */
  private buffersFor(views: number): StepBuffers {
    if (this.buffers !== undefined && views <= this.bufferViews) return this.buffers;
    this.buffers = {
      pixels: new SharedArrayBuffer(views * this.pixelsPerImage * 4),
      embeddings: new SharedArrayBuffer(views * this.embeddingDim * 4),
      gradients: new SharedArrayBuffer(this.workers * this.parameterCount * 4),
    };
    this.bufferViews = views;
    return this.buffers;
  }

  async readWeights(rank = 0): Promise<Map<string, Float32Array>> {
    if (!Number.isInteger(rank) || rank < 0 || rank >= this.workers) {
      throw new ApronError('invalid-input', `Replica ${rank} not found. This stepper has ${this.workers} worker(s), numbered from 0`);
    }
    const reply = await this.request(rank, { type: 'read-weights' });
    if (reply.type !== 'weights') throw new Error(`Replica worker ${rank} sent ${reply.type} in reply to read-weights`);
    return reply.weights;
  }

  async readOptimizerState(): Promise<AdamState | undefined> {
    const reply = await this.request(0, { type: 'read-optimizer' });
    if (reply.type !== 'optimizer') throw new Error(`Replica worker 0 sent ${reply.type} in reply to read-optimizer`);
    return reply.state ?? undefined;
  }

  /** Sends one request other than a step to worker `rank` and waits for its reply. */
  private async request(rank: number, message: ToReplicaMessage): Promise<FromReplicaMessage> {
    this.checkUsable();
    this.busy = true;
    try {
      return await this.send(rank, message);
    } finally {
      this.busy = false;
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.markFailed(new ApronError('cancelled', 'The data-parallel stepper was disposed'));

    // Terminated workers send no reply, so their waiting requests are rejected here.
    const disposed = new ApronError('cancelled', 'The data-parallel stepper was disposed while a request was running');
    this.threads.forEach((_, rank) => this.settle(rank)?.reject(disposed));
    await Promise.all(this.threads.map((worker) => worker.terminate()));
  }
}
