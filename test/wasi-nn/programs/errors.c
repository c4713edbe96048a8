/*
 * errors <model.onnx>: calls wasi-nn wrongly on purpose and prints each errno as "<case>: <errno>", for the test to
 * hold to the witx's values. The model is a float32 [1, N] -> [1, K] classifier.
 */
#include <stdio.h>
#include <string.h>

#include "read_file.h"
#include "wasi_nn.h"

static void report(const char *what, nn_errno errno_value) {
  printf("%s: %u\n", what, errno_value);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  uint32_t model_size = 0;
  uint8_t *model = read_file(argv[1], &model_size);
  if (!model) return 1;
  graph_builder builder = { model, model_size };
  graph g = 0;

  report("openvino encoding", wasi_nn_load(&builder, 1, ENCODING_OPENVINO, TARGET_CPU, &g));
  report("tensorflowlite encoding", wasi_nn_load(&builder, 1, ENCODING_TENSORFLOWLITE, TARGET_CPU, &g));
  report("encoding 9", wasi_nn_load(&builder, 1, 9, TARGET_CPU, &g));
  report("target 7", wasi_nn_load(&builder, 1, ENCODING_ONNX, 7, &g));
  report("two builders", wasi_nn_load((graph_builder[]){ builder, builder }, 2, ENCODING_ONNX, TARGET_CPU, &g));
  graph_builder garbage = { (const uint8_t *)"not a model", 11 };
  report("bytes that are no model", wasi_nn_load(&garbage, 1, ENCODING_ONNX, TARGET_CPU, &g));
  graph_builder outside = { (const uint8_t *)0xfffffff0u, 64 };
  report("builder outside memory", wasi_nn_load(&outside, 1, ENCODING_ONNX, TARGET_CPU, &g));
  report("unknown name", wasi_nn_load_by_name("none", 4, &g));

  graph_execution_context context = 0;
  report("context of no graph", wasi_nn_init_execution_context(12345, &context));
  report("load", wasi_nn_load(&builder, 1, ENCODING_ONNX, TARGET_CPU, &g));
  report("init_execution_context", wasi_nn_init_execution_context(g, &context));

  float values[4] = { 1, 2, 3, 4 };
  uint32_t dimensions[2] = { 1, 4 };
  tensor input = { dimensions, 2, TENSOR_F32, (const uint8_t *)values, sizeof values };
  report("compute before set_input", wasi_nn_compute(context));
  report("input index 1", wasi_nn_set_input(context, 1, &input));
  tensor as_i32 = input;
  as_i32.type = TENSOR_I32;
  report("input of int32", wasi_nn_set_input(context, 0, &as_i32));
  tensor as_f64 = input;
  as_f64.type = TENSOR_F64;
  report("input of float64", wasi_nn_set_input(context, 0, &as_f64));
  uint32_t wrong_dimensions[2] = { 2, 2 };
  tensor reshaped = input;
  reshaped.dimensions = wrong_dimensions;
  report("input of other dimensions", wasi_nn_set_input(context, 0, &reshaped));
  tensor short_data = input;
  short_data.size = 12;
  report("input data too short", wasi_nn_set_input(context, 0, &short_data));
  report("set_input of no context", wasi_nn_set_input(999, 0, &input));
  report("get_output before compute", wasi_nn_get_output(context, 0, (uint8_t *)values, sizeof values, &dimensions[0]));
  report("set_input", wasi_nn_set_input(context, 0, &input));
  report("compute", wasi_nn_compute(context));

  uint8_t small[4];
  uint32_t written = 0;
  report("output buffer too small", wasi_nn_get_output(context, 0, small, sizeof small, &written));
  report("output index 1", wasi_nn_get_output(context, 1, small, sizeof small, &written));
  report("output buffer outside memory", wasi_nn_get_output(context, 0, (uint8_t *)0xfffffff0u, 64, &written));
  float scores[64];
  report("get_output", wasi_nn_get_output(context, 0, (uint8_t *)scores, sizeof scores, &written));
  printf("written: %u\n", written);
  return 0;
}
