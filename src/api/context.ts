import { invalidStateError, typeError } from '../errors.js';
import { describe } from '../graph/ir.js';
import { elementCount } from '../graph/ir.js';
import { tf } from '../runtime/backends.js';
import { bufferMismatch, byteSizeOf, bytesOf, copyBytes, isBufferSource, isDetached, storageDtypeOf, type BufferSource } from '../types/data-type.js';
import { bytesToStorage, storageToBytes } from '../types/convert.js';
import { checkDimensions, sameDescriptor, toOperandDescriptor } from './descriptor.js';
import { checkCreateToken, CREATE, finishInterface } from './interface.js';
import { contextSlots, graphSlots, tensorSlots, TensorState, type ContextState, type MLContextLostInfo } from './internals.js';
import { opSupportLimits, type MLOpSupportLimits } from './limits.js';
import { createTensorObject, type MLTensor } from './tensor.js';
import type { MLGraph } from './graph.js';
import { requireArgs, toBoolean, toDictionary, toRecord } from './webidl.js';

/** WebIDL turns an exception thrown by a promise-returning operation into a rejection. */
function rejecting<T>(body: () => Promise<T>): Promise<T> {
  try {
    return body();
  } catch (error) {
    return Promise.reject(error);
  }
}

function toBufferSource(where: string, name: string, value: unknown): BufferSource {
  if (!isBufferSource(value)) throw typeError(where, `${name} is not an ArrayBuffer, SharedArrayBuffer or ArrayBufferView`);
  return value;
}

function reportTimelineError(where: string, error: unknown): void {
  // The spec gives dispatch() and writeTensor() no error channel; make failures visible rather than silent.
  if (error instanceof DOMException && error.name === 'InvalidStateError') return;
  console.error(`WebNN ${where} failed:`, error);
}

export class MLContext {
  constructor(...args: unknown[]) {
    checkCreateToken(args[0]);
    contextSlots.set(this, args[1] as ContextState);
  }

  dispatch(graph: MLGraph, inputs: Record<string, MLTensor>, outputs: Record<string, MLTensor>): void {
    const where = 'MLContext.dispatch';
    requireArgs(where, arguments, 3);
    const ctx = contextSlots.get(this, where);
    const g = graphSlots.get(graph, `${where}: graph`);
    const tensorOf = (record: string) => (v: unknown, key: string) => tensorSlots.get(v, `${where}: ${record}['${key}']`);
    const ins = toRecord(where, 'inputs', inputs, tensorOf('inputs'));
    const outs = toRecord(where, 'outputs', outputs, tensorOf('outputs'));
    if (g.context !== ctx) throw typeError(where, 'graph belongs to another MLContext');
    if (g.destroyed) throw invalidStateError(where, 'graph has been destroyed');
    const seen = new Set<TensorState>();
    for (const [record, map] of [['inputs', ins], ['outputs', outs]] as const) {
      for (const [name, t] of map) {
        if (seen.has(t)) throw typeError(where, `${record}['${name}'] is bound more than once`);
        seen.add(t);
        if (t.context !== ctx) throw typeError(where, `${record}['${name}'] belongs to another MLContext`);
        if (t.destroyed) throw typeError(where, `${record}['${name}'] has been destroyed`);
      }
    }
    for (const [record, map, descs] of [['inputs', ins, g.inputs], ['outputs', outs, g.outputs]] as const) {
      if (map.size !== descs.size) {
        throw typeError(where, `${record} binds ${map.size} tensors but the graph has ${descs.size} (${[...descs.keys()].join(', ')})`);
      }
      for (const [name, t] of map) {
        const desc = descs.get(name);
        if (!desc) throw typeError(where, `${record}['${name}'] is not a ${record.slice(0, -1)} of the graph`);
        if (t.constant) throw typeError(where, `${record}['${name}'] is a constant tensor`);
        if (!sameDescriptor(desc, t.desc)) {
          throw typeError(where, `${record}['${name}'] is ${describe(t.desc)} but the graph expects ${describe(desc)}`);
        }
      }
    }
    ctx.enqueue(where, () => {
      if (g.destroyed) return;
      const feeds = new Map<string, tf.Tensor>();
      for (const [name, t] of ins) feeds.set(name, t.data!);
      const results = g.plan.run(feeds);
      for (const [name, t] of outs) {
        const result = results.get(name)!;
        if (t.destroyed) result.dispose();
        else t.replaceData(result);
      }
    }).catch((error: unknown) => reportTimelineError(where, error));
  }

  createTensor(descriptor: unknown): Promise<MLTensor> {
    const where = 'MLContext.createTensor';
    return rejecting(() => {
      requireArgs(where, arguments, 1);
      const ctx = contextSlots.get(this, where);
      const desc = toOperandDescriptor(where, 'descriptor', descriptor);
      const dict = toDictionary<{ readable: unknown; writable: unknown }>(where, 'descriptor', descriptor);
      if (ctx.isLost) return Promise.reject(invalidStateError(where, 'the context is lost'));
      checkDimensions(where, desc, 'descriptor.shape');
      const state = new TensorState(ctx, desc, toBoolean(dict.readable, false), toBoolean(dict.writable, false), false);
      const tensor = createTensorObject(state);
      return ctx.enqueue(where, () => {
        if (!state.destroyed) state.data = tf.zeros(desc.shape as number[], storageDtypeOf(desc.dataType));
        return tensor;
      });
    });
  }

  createConstantTensor(descriptor: unknown, inputData: unknown): Promise<MLTensor> {
    const where = 'MLContext.createConstantTensor';
    return rejecting(() => {
      requireArgs(where, arguments, 2);
      const ctx = contextSlots.get(this, where);
      const desc = toOperandDescriptor(where, 'descriptor', descriptor);
      const source = toBufferSource(where, 'inputData', inputData);
      if (ctx.isLost) return Promise.reject(invalidStateError(where, 'the context is lost'));
      checkDimensions(where, desc, 'descriptor.shape');
      const mismatch = bufferMismatch(source, desc.dataType, elementCount(desc.shape));
      if (mismatch) throw typeError(where, `inputData: ${mismatch}`);
      const bytes = copyBytes(source);
      const state = new TensorState(ctx, desc, false, false, true);
      const tensor = createTensorObject(state);
      return ctx.enqueue(where, () => {
        if (!state.destroyed) {
          state.data = tf.tensor(bytesToStorage(bytes, desc.dataType), desc.shape as number[], storageDtypeOf(desc.dataType));
        }
        return tensor;
      });
    });
  }

  readTensor(tensor: MLTensor): Promise<ArrayBuffer>;
  readTensor(tensor: MLTensor, outputData: BufferSource): Promise<undefined>;
  readTensor(tensor: MLTensor, outputData?: BufferSource): Promise<ArrayBuffer | undefined> {
    const where = 'MLContext.readTensor';
    const withBuffer = arguments.length >= 2;
    return rejecting(() => {
      requireArgs(where, arguments, 1);
      const ctx = contextSlots.get(this, where);
      const t = tensorSlots.get(tensor, `${where}: tensor`);
      const target = withBuffer ? toBufferSource(where, 'outputData', outputData) : null;
      if (t.context !== ctx) throw typeError(where, 'tensor belongs to another MLContext');
      if (t.destroyed) throw typeError(where, 'tensor has been destroyed');
      if (!t.readable) throw typeError(where, 'tensor was not created readable');
      const count = elementCount(t.desc.shape);
      if (target) {
        const mismatch = bufferMismatch(target, t.desc.dataType, count);
        if (mismatch) throw typeError(where, `outputData: ${mismatch}`);
      }
      return new Promise<ArrayBuffer | undefined>((resolve, reject) => {
        t.pendingReads.add(reject);
        const settle = (fn: () => void) => {
          if (!t.pendingReads.delete(reject)) return; // destroy() already rejected it
          fn();
        };
        ctx.enqueue(where, async () => (t.data ? await t.data.data() : null)).then((values) => settle(() => {
          if (values === null) return reject(invalidStateError(where, 'tensor has been destroyed'));
          if (target) {
            if (isDetached(target)) return reject(typeError(where, 'outputData has been detached'));
            storageToBytes(values as ArrayLike<number>, t.desc.dataType, bytesOf(target));
            return resolve(undefined);
          }
          const out = new Uint8Array(count * byteSizeOf(t.desc.dataType));
          storageToBytes(values as ArrayLike<number>, t.desc.dataType, out);
          resolve(out.buffer);
        }), (error: unknown) => settle(() => reject(error)));
      });
    });
  }

  writeTensor(tensor: MLTensor, inputData: BufferSource): void {
    const where = 'MLContext.writeTensor';
    requireArgs(where, arguments, 2);
    const ctx = contextSlots.get(this, where);
    const t = tensorSlots.get(tensor, `${where}: tensor`);
    const source = toBufferSource(where, 'inputData', inputData);
    if (t.context !== ctx) throw typeError(where, 'tensor belongs to another MLContext');
    if (t.destroyed) throw typeError(where, 'tensor has been destroyed');
    if (!t.writable) throw typeError(where, 'tensor was not created writable');
    const mismatch = bufferMismatch(source, t.desc.dataType, elementCount(t.desc.shape));
    if (mismatch) throw typeError(where, `inputData: ${mismatch}`);
    const bytes = copyBytes(source);
    ctx.enqueue(where, () => {
      if (t.destroyed) return;
      t.replaceData(tf.tensor(bytesToStorage(bytes, t.desc.dataType), t.desc.shape as number[], storageDtypeOf(t.desc.dataType)));
    }).catch((error: unknown) => reportTimelineError(where, error));
  }

  opSupportLimits(): MLOpSupportLimits {
    return opSupportLimits(contextSlots.get(this, 'MLContext.opSupportLimits').backend);
  }

  destroy(): void {
    contextSlots.get(this, 'MLContext.destroy').lose('the context was destroyed');
  }

  get accelerated(): boolean {
    return contextSlots.get(this, 'MLContext.accelerated').accelerated;
  }

  get lost(): Promise<MLContextLostInfo> {
    return contextSlots.get(this, 'MLContext.lost').lost;
  }
}
finishInterface(MLContext, 'MLContext');

export function createContextObject(state: ContextState): MLContext {
  return new MLContext(CREATE, state);
}
