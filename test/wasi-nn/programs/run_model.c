/*
 * run_model <model.onnx> <input.f32> <d0> <d1> ...: loads an ONNX model of one float32 input through wasi-nn, sets
 * the input to the file's float32 values (little-endian) with the given dimensions, computes, and prints the first
 * output's values as "output: v0 v1 ...".
 */
#include <stdio.h>
#include <stdlib.h>

#include "read_file.h"
#include "wasi_nn.h"

#define MAX_RANK 8
#define OUTPUT_CAPACITY (4u << 20)

static int check(const char *what, nn_errno errno_value) {
  if (errno_value == NN_SUCCESS) return 0;
  printf("%s failed: errno %u\n", what, errno_value);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 4 || argc - 3 > MAX_RANK) {
    fprintf(stderr, "usage: run_model <model.onnx> <input.f32> <d0> <d1> ...\n");
    return 2;
  }
  uint32_t model_size = 0, input_size = 0;
  uint8_t *model = read_file(argv[1], &model_size);
  uint8_t *input = read_file(argv[2], &input_size);
  if (!model || !input) {
    printf("cannot read %s or %s\n", argv[1], argv[2]);
    return 1;
  }
  uint32_t dimensions[MAX_RANK];
  uint32_t rank = (uint32_t)(argc - 3);
  for (uint32_t k = 0; k < rank; k++) dimensions[k] = (uint32_t)strtoul(argv[3 + k], NULL, 10);

  graph_builder builder = { model, model_size };
  graph g;
  if (check("load", wasi_nn_load(&builder, 1, ENCODING_ONNX, TARGET_CPU, &g))) return 1;
  graph_execution_context context;
  if (check("init_execution_context", wasi_nn_init_execution_context(g, &context))) return 1;
  tensor tensor_input = { dimensions, rank, TENSOR_F32, input, input_size };
  if (check("set_input", wasi_nn_set_input(context, 0, &tensor_input))) return 1;
  if (check("compute", wasi_nn_compute(context))) return 1;

  float *output = malloc(OUTPUT_CAPACITY);
  uint32_t written = 0;
  if (check("get_output", wasi_nn_get_output(context, 0, (uint8_t *)output, OUTPUT_CAPACITY, &written))) return 1;
  printf("output:");
  for (uint32_t k = 0; k < written / sizeof(float); k++) printf(" %.9g", output[k]);
  printf("\n");
  return 0;
}
