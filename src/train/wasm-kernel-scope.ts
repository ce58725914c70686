/**
 * Composition of wasm kernels inside another kernel.
 *
 * A kernel function works on TensorInfo (backend buffers), not on the engine's tracked tensors, so
 * the replacement kernels in `wasm-*.ts` call the wasm backend's own kernel functions directly, as
 * tfjs' backends do internally, and free every intermediate buffer themselves. The functions are
 * captured before any replacement is registered, so a replacement never calls itself or another
 * replacement.
 */
import { getKernel, type DataId, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

export type KernelTable = ReadonlyMap<string, KernelFunc>;

/** The part of a backend that the scope uses; kernel functions receive their backend untyped. */
interface DisposingBackend {
  disposeData(dataId: DataId): unknown;
}

/** The wasm kernels that the replacements are built from. */
export const BUILDING_BLOCK_KERNELS = [
  'Add',
  'Concat',
  'Conv2D',
  'Fill',
  'PadV2',
  'Reshape',
  'Reverse',
  'Slice',
  'StridedSlice',
  'Transpose',
] as const;

/** Capture the current kernel functions of `backendName` for the given kernel names. */
export function captureKernels(backendName: string, names: readonly string[]): Map<string, KernelFunc> {
  const table = new Map<string, KernelFunc>();
  for (const name of names) {
    const config = getKernel(name, backendName);
    if (config === undefined) throw new Error(`Kernel ${name} is not registered for backend ${backendName}`);
    table.set(name, config.kernelFunc);
  }
  return table;
}

/**
 * Runs kernels and frees every intermediate result when disposed, except the ones handed out with
 * `keep`. Each kernel output owns one reference to its data (Reshape adds a reference to its input's
 * data rather than copying), so one `disposeData` per output is always right.
 */
export class KernelScope {
  private readonly temporaries = new Set<TensorInfo>();

  private readonly backend: DisposingBackend;

  constructor(
    backend: unknown,
    private readonly kernels: KernelTable,
  ) {
    this.backend = backend as DisposingBackend;
  }

  run(name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = this.kernels.get(name);
    if (kernel === undefined) throw new Error(`Kernel ${name} was not captured for composition`);

    // Concat takes its inputs as an array, every other kernel as a named map.
    const output = kernel({ inputs: inputs as Record<string, TensorInfo>, attrs, backend: this.backend as object });
    if (Array.isArray(output)) throw new Error(`Kernel ${name} returned several outputs where one was expected`);

    this.temporaries.add(output);
    return output;
  }

  /** Hand `info` to the caller: the scope no longer frees it. */
  keep(info: TensorInfo): TensorInfo {
    this.temporaries.delete(info);
    return info;
  }

  dispose(): void {
    for (const info of this.temporaries) this.backend.disposeData(info.dataId);
    this.temporaries.clear();
  }
}

/** Run `body` with a fresh scope and free everything it made except its result. */
export function withKernelScope(
  backend: unknown,
  kernels: KernelTable,
  body: (scope: KernelScope) => TensorInfo,
): TensorInfo {
  const scope = new KernelScope(backend, kernels);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}
