/** Host tensors made WebNN constants: ONNX bool is WebNN uint8; int64 stays int64 where the context takes it. */
import { toNumbers, type HostDataType, type HostTensor } from './host-tensor.js';
import type { NodeImport, ValueStore } from './node-import.js';
import type { GraphBuilder, Operand, OperandDataType } from './webnn-types.js';

/** The WebNN type a host type computes as, or null (float64, int16, uint16 have none). */
export function webnnTypeOf(dataType: HostDataType): OperandDataType | null {
  switch (dataType) {
    case 'bool': return 'uint8';
    case 'float64':
    case 'int16':
    case 'uint16': return null;
    default: return dataType;
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function operandFromHost(builder: GraphBuilder, host: HostTensor, store: ValueStore, node: NodeImport): Operand {
  const dataType = webnnTypeOf(host.dataType);
  if (!dataType) throw node.unsupported(`a ${host.dataType} constant has no WebNN data type`);
  const shape = [...host.shape];
  if (dataType === 'int64' && !store.supports('constant', '', 'int64')) {
    // A context without int64 constants takes int32 ones, which hold every index and size a model has in practice.
    const values = toNumbers(host);
    if (values.some((v) => v < INT32_MIN || v > INT32_MAX)) {
      throw node.unsupported('an int64 constant beyond the int32 range, on a context without int64 constants');
    }
    return builder.constant({ dataType: 'int32', shape }, Int32Array.from(values));
  }
  return builder.constant({ dataType, shape }, host.data);
}
