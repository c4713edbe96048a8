/*
 * The phase-1 wasi-nn imports (module wasi_ephemeral_nn), as WebAssembly/wasi-nn's wasi-nn.witx declares them at
 * revision 747d8df, lowered as witx lowers them: each returns its nn_errno, results go through the last pointer.
 */
#ifndef WASI_NN_H
#define WASI_NN_H

#include <stdint.h>

typedef uint16_t nn_errno;
enum {
  NN_SUCCESS = 0, NN_INVALID_ARGUMENT = 1, NN_INVALID_ENCODING = 2, NN_MISSING_MEMORY = 3, NN_BUSY = 4,
  NN_RUNTIME_ERROR = 5, NN_UNSUPPORTED_OPERATION = 6, NN_TOO_LARGE = 7, NN_NOT_FOUND = 8,
};

typedef uint8_t tensor_type;
enum { TENSOR_F16 = 0, TENSOR_F32 = 1, TENSOR_F64 = 2, TENSOR_U8 = 3, TENSOR_I32 = 4, TENSOR_I64 = 5 };

typedef uint8_t graph_encoding;
enum { ENCODING_OPENVINO = 0, ENCODING_ONNX = 1, ENCODING_TENSORFLOW = 2, ENCODING_PYTORCH = 3,
       ENCODING_TENSORFLOWLITE = 4, ENCODING_AUTODETECT = 5 };

typedef uint8_t execution_target;
enum { TARGET_CPU = 0, TARGET_GPU = 1, TARGET_TPU = 2 };

typedef uint32_t graph;
typedef uint32_t graph_execution_context;

typedef struct { const uint8_t *data; uint32_t size; } graph_builder;

typedef struct {
  const uint32_t *dimensions;
  uint32_t rank;
  tensor_type type;
  const uint8_t *data;
  uint32_t size;
} tensor;

#define WASI_NN_IMPORT(name) __attribute__((import_module("wasi_ephemeral_nn"), import_name(name)))

WASI_NN_IMPORT("load")
nn_errno wasi_nn_load(const graph_builder *builders, uint32_t count, graph_encoding encoding, execution_target target,
                      graph *result);
WASI_NN_IMPORT("load_by_name")
nn_errno wasi_nn_load_by_name(const char *name, uint32_t length, graph *result);
WASI_NN_IMPORT("init_execution_context")
nn_errno wasi_nn_init_execution_context(graph g, graph_execution_context *result);
WASI_NN_IMPORT("set_input")
nn_errno wasi_nn_set_input(graph_execution_context context, uint32_t index, const tensor *input);
WASI_NN_IMPORT("compute")
nn_errno wasi_nn_compute(graph_execution_context context);
WASI_NN_IMPORT("get_output")
nn_errno wasi_nn_get_output(graph_execution_context context, uint32_t index, uint8_t *buffer, uint32_t capacity,
                            uint32_t *written);

#endif
