/**
 * The phase-1 wasi-nn ABI, module `wasi_ephemeral_nn`, as WebAssembly/wasi-nn's wasi-nn.witx declares it at revision
 * 747d8df ("Adding 64 bit tensor data types", #54; the file is unchanged since, up to 71320d9). The WIT version of
 * the proposal has since moved to resources and dropped set-input / get-output (f7f1ffb, #77); this is the witx one,
 * which wasm32-wasi programs import today.
 *
 * Lowered as witx lowers it: every function returns its $nn_errno as an i32 and writes its result through a pointer
 * passed last; a list is (pointer, length); a $tensor is passed by pointer to its record.
 */

/** $nn_errno (enum, tag u16). */
export const NnErrno = {
  success: 0,
  invalidArgument: 1,
  invalidEncoding: 2,
  missingMemory: 3,
  busy: 4,
  runtimeError: 5,
  unsupportedOperation: 6,
  tooLarge: 7,
  notFound: 8,
} as const;
export type NnErrno = typeof NnErrno[keyof typeof NnErrno];

/** $tensor_type (enum, tag u8). */
export const TensorType = { f16: 0, f32: 1, f64: 2, u8: 3, i32: 4, i64: 5 } as const;

/** $graph_encoding (enum, tag u8). */
export const GraphEncoding = { openvino: 0, onnx: 1, tensorflow: 2, pytorch: 3, tensorflowlite: 4, autodetect: 5 } as const;

/** $execution_target (enum, tag u8). */
export const ExecutionTarget = { cpu: 0, gpu: 1, tpu: 2 } as const;

/**
 * The $tensor record in linear memory (align 4): dimensions (pointer, length of u32), type (u8, padded), data
 * (pointer, length of u8).
 */
export const TENSOR_RECORD = { dimensionsPointer: 0, dimensionsLength: 4, type: 8, dataPointer: 12, dataLength: 16, size: 20 } as const;

/** A $graph_builder in a $graph_builder_array: (pointer, length). */
export const BUILDER_SIZE = 8;

/** The functions of the module, by import name. */
export const WASI_NN_FUNCTIONS = ['load', 'load_by_name', 'init_execution_context', 'set_input', 'get_output', 'compute'] as const;
export type WasiNnFunction = typeof WASI_NN_FUNCTIONS[number];

export const WASI_NN_MODULE = 'wasi_ephemeral_nn';
