/** The internal slots of the WebNN objects ([[context]], [[isDestroyed]], ...), kept apart from the public classes. */
import type * as tfc from '@tensorflow/tfjs-core';
import { invalidStateError, typeError } from '../errors.js';
import type { OperandDescriptor } from '../graph/ir.js';
import type { Plan } from '../graph/plan.js';
import { runOnBackend, type BackendName } from '../runtime/backends.js';

export type MLPowerPreference = 'default' | 'high-performance' | 'low-power';

export interface MLContextLostInfo {
  message: string;
}

/** 2^31 - 1 bytes: TF.js indexes tensors with 32-bit integers on every backend. */
export const MAX_TENSOR_BYTE_LENGTH = 2 ** 31 - 1;

export class ContextState {
  isLost = false;
  readonly lost: Promise<MLContextLostInfo>;
  readonly #resolveLost: (info: MLContextLostInfo) => void;
  readonly graphs = new Set<GraphState>();
  readonly tensors = new Set<TensorState>();

  constructor(readonly backend: BackendName, readonly accelerated: boolean, readonly powerPreference: MLPowerPreference) {
    let resolve!: (info: MLContextLostInfo) => void;
    this.lost = new Promise((r) => { resolve = r; });
    this.#resolveLost = resolve;
  }

  /** Runs `job` on this context's timeline (TF.js switched to its backend), aborting when the context is lost. */
  enqueue<T>(where: string, job: () => T | Promise<T>): Promise<T> {
    return runOnBackend(this.backend, () => {
      if (this.isLost) throw invalidStateError(where, 'the context is lost');
      return job();
    });
  }

  lose(message: string): void {
    if (this.isLost) return;
    this.isLost = true;
    for (const graph of this.graphs) graph.destroy();
    for (const tensor of this.tensors) tensor.destroy();
    this.#resolveLost({ message });
  }
}

export class TensorState {
  destroyed = false;
  /** The data, on the context's backend, in storage dtype; null until the timeline has allocated it. */
  data: tfc.Tensor | null = null;
  readonly pendingReads = new Set<(error: Error) => void>();

  constructor(readonly context: ContextState, readonly desc: OperandDescriptor, readonly readable: boolean,
    readonly writable: boolean, readonly constant: boolean) {
    context.tensors.add(this);
  }

  replaceData(next: tfc.Tensor): void {
    const previous = this.data;
    this.data = next;
    previous?.dispose();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.context.tensors.delete(this);
    const error = invalidStateError('MLTensor.destroy', 'the tensor was destroyed while a read was pending');
    for (const reject of this.pendingReads) reject(error);
    this.pendingReads.clear();
    // Release after the work already queued that may still read it.
    void runOnBackend(this.context.backend, () => {
      this.data?.dispose();
      this.data = null;
    });
  }
}

export class GraphState {
  destroyed = false;

  constructor(readonly context: ContextState, readonly plan: Plan, readonly inputs: ReadonlyMap<string, OperandDescriptor>,
    readonly outputs: ReadonlyMap<string, OperandDescriptor>) {
    context.graphs.add(this);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.context.graphs.delete(this);
    void runOnBackend(this.context.backend, () => this.plan.dispose());
  }
}

/** WeakMap-backed slot access; a missing entry is the WebIDL "Illegal invocation" TypeError. */
export class Slots<T> {
  readonly #map = new WeakMap<object, T>();

  constructor(readonly interfaceName: string) {}

  set(owner: object, value: T): void {
    this.#map.set(owner, value);
  }

  has(owner: unknown): boolean {
    return typeof owner === 'object' && owner !== null && this.#map.has(owner);
  }

  get(owner: unknown, where: string): T {
    const value = typeof owner === 'object' && owner !== null ? this.#map.get(owner) : undefined;
    if (value === undefined) throw typeError(where, `not an ${this.interfaceName}`);
    return value;
  }

  find(owner: unknown): T | undefined {
    return typeof owner === 'object' && owner !== null ? this.#map.get(owner) : undefined;
  }
}

export const contextSlots = new Slots<ContextState>('MLContext');
export const tensorSlots = new Slots<TensorState>('MLTensor');
export const graphSlots = new Slots<GraphState>('MLGraph');
