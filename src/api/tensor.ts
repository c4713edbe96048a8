import type { MLOperandDataType } from '../types/data-type.js';
import { checkCreateToken, CREATE, finishInterface } from './interface.js';
import { releaseWhenCollected, tensorSlots, type TensorState } from './internals.js';
import { isExportable } from './gpu-export.js';

export class MLTensor {
  constructor(...args: unknown[]) {
    checkCreateToken(args[0]);
    tensorSlots.set(this, args[1] as TensorState);
  }

  get dataType(): MLOperandDataType {
    return tensorSlots.get(this, 'MLTensor.dataType').desc.dataType;
  }

  get shape(): readonly number[] {
    return tensorSlots.get(this, 'MLTensor.shape').desc.shape;
  }

  get readable(): boolean {
    return tensorSlots.get(this, 'MLTensor.readable').readable;
  }

  get writable(): boolean {
    return tensorSlots.get(this, 'MLTensor.writable').writable;
  }

  get constant(): boolean {
    return tensorSlots.get(this, 'MLTensor.constant').constant;
  }

  /** Whether exportToGPU() can hand the tensor to WebGPU: made by createExportableTensor() (the MLTensor explainer). */
  get exportableToGPU(): boolean {
    return isExportable(tensorSlots.get(this, 'MLTensor.exportableToGPU'));
  }

  /** Rejects the pending reads of this tensor with an InvalidStateError and releases its data; idempotent. */
  destroy(): void {
    tensorSlots.get(this, 'MLTensor.destroy').destroy();
  }
}
finishInterface(MLTensor, 'MLTensor');

/** @internal */
export function createTensorObject(state: TensorState): MLTensor {
  const tensor = new MLTensor(CREATE, state);
  releaseWhenCollected(tensor, state);
  return tensor;
}
