// META: title=The polyfill's three TF.js backends start and compute in windows and dedicated workers (classic and module)
// META: global=window,dedicatedworker,dedicatedworker-module
// META: timeout=long

'use strict';

// Polyfill-specific (MLContextOptions.tfjsBackend is not WebNN): a context on exactly one backend, which rejects
// with a NotSupportedError when that backend cannot start here. webgl needs a WebGL2 context (OffscreenCanvas in
// workers); wasm needs its .wasm files, found beside the polyfill's script.
for (const backend of ['webgl', 'wasm', 'cpu']) {
  promise_test(async () => {
    const context = await navigator.ml.createContext({ tfjsBackend: backend });
    const builder = new MLGraphBuilder(context);
    const descriptor = { dataType: 'float32', shape: [2, 3] };
    const x = builder.input('x', descriptor);
    const w = builder.constant({ dataType: 'float32', shape: [3, 2] }, new Float32Array([1, 0, 0, 1, 0.5, -0.5]));
    const graph = await builder.build({ out: builder.relu(builder.matmul(x, w)) });
    const input = await context.createTensor({ ...descriptor, writable: true });
    const output = await context.createTensor({ dataType: 'float32', shape: [2, 2], readable: true });
    context.writeTensor(input, new Float32Array([1, 2, 4, -3, 1, 2]));
    context.dispatch(graph, { x: input }, { out: output });
    assert_array_equals(new Float32Array(await context.readTensor(output)), [3, 0, 0, 0]);
    context.destroy();
  }, `a context on the TF.js ${backend} backend computes a graph`);
}
