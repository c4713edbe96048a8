/** Every ONNX operator (default domain) the importer maps, with the opsets it maps. */
import type { Converter } from './converter.js';
import { ACTIVATION_CONVERTERS } from './ops-activations.js';
import { CONTROL_CONVERTERS } from './ops-control.js';
import { CONV_CONVERTERS } from './ops-conv.js';
import { EINSUM_CONVERTERS } from './ops-einsum.js';
import { ELEMENTWISE_CONVERTERS } from './ops-elementwise.js';
import { INDEXING_CONVERTERS } from './ops-indexing.js';
import { INTEGER_CONVERTERS } from './ops-integer.js';
import { LINEAR_CONVERTERS } from './ops-linear.js';
import { QUANTIZE_CONVERTERS } from './ops-quantize.js';
import { RECURRENT_CONVERTERS } from './ops-recurrent.js';
import { REDUCE_CONVERTERS } from './ops-reduce.js';
import { RESIZE_CONVERTERS } from './ops-resize.js';
import { SHAPE_CONVERTERS } from './ops-shape.js';

/** The newest ai.onnx opset whose operator definitions the converters follow. */
export const MAX_OPSET = 22;

export const CONVERTERS: ReadonlyMap<string, Converter> = new Map([
  ...ELEMENTWISE_CONVERTERS, ...CONV_CONVERTERS, ...LINEAR_CONVERTERS, ...REDUCE_CONVERTERS, ...RESIZE_CONVERTERS,
  ...SHAPE_CONVERTERS, ...INDEXING_CONVERTERS, ...CONTROL_CONVERTERS,
  ...QUANTIZE_CONVERTERS,
  ...ACTIVATION_CONVERTERS, ...RECURRENT_CONVERTERS, ...EINSUM_CONVERTERS, ...INTEGER_CONVERTERS,
]);
