/*
 * classify <model.onnx> <target> <x0> <x1> ...: loads an ONNX classifier of one float32 input [1, N] and one float32
 * output [1, K] through wasi-nn, computes it on the given values and prints the scores and the top class.
 * Exits 1 with the failing call's errno printed when a call fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"
#include "wasi_nn.h"

#define MAX_CLASSES 1024

static int check(const char *what, nn_errno errno_value) {
  if (errno_value == NN_SUCCESS) return 0;
  printf("%s failed: errno %u\n", what, errno_value);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: classify <model.onnx> <cpu|gpu|tpu> <x0> <x1> ...\n");
    return 2;
  }
  uint32_t model_size = 0;
  uint8_t *model = read_file(argv[1], &model_size);
  if (!model) {
    printf("cannot read %s\n", argv[1]);
    return 1;
  }
  execution_target target = strcmp(argv[2], "gpu") == 0 ? TARGET_GPU : strcmp(argv[2], "tpu") == 0 ? TARGET_TPU : TARGET_CPU;

  uint32_t count = (uint32_t)(argc - 3);
  float *values = malloc(count * sizeof(float));
  for (uint32_t k = 0; k < count; k++) values[k] = strtof(argv[3 + k], NULL);

  graph_builder builder = { model, model_size };
  graph g;
  if (check("load", wasi_nn_load(&builder, 1, ENCODING_ONNX, target, &g))) return 1;
  graph_execution_context context;
  if (check("init_execution_context", wasi_nn_init_execution_context(g, &context))) return 1;

  uint32_t dimensions[2] = { 1, count };
  tensor input = { dimensions, 2, TENSOR_F32, (const uint8_t *)values, count * (uint32_t)sizeof(float) };
  if (check("set_input", wasi_nn_set_input(context, 0, &input))) return 1;
  if (check("compute", wasi_nn_compute(context))) return 1;

  static float scores[MAX_CLASSES];
  uint32_t written = 0;
  if (check("get_output", wasi_nn_get_output(context, 0, (uint8_t *)scores, sizeof scores, &written))) return 1;
  uint32_t classes = written / sizeof(float);
  uint32_t top = 0;
  printf("scores:");
  for (uint32_t k = 0; k < classes; k++) {
    printf(" %.9g", scores[k]);
    if (scores[k] > scores[top]) top = k;
  }
  printf("\ntop: %u\n", top);
  return 0;
}
