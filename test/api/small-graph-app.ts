/**
 * What the apps of the package tests (an entry in its own Node process, apps bundled from the tarball) compute, as
 * source text: with `context` an MLContext in scope, y = (x + c) * c for x = X_VALUES and c = [1, 2, 3, 4], left
 * dispatched into the MLTensor `y`, read by the app.
 */
export const SMALL_GRAPH_STEPS = `
  const builder = new MLGraphBuilder(context);
  const desc = { dataType: 'float32', shape: [4] };
  const c = builder.constant(desc, new Float32Array([1, 2, 3, 4]));
  const graph = await builder.build({ y: builder.mul(builder.add(builder.input('x', desc), c), c) });
  const [x, y] = await Promise.all([context.createTensor({ ...desc, writable: true }), context.createTensor({ ...desc, readable: true })]);
  context.writeTensor(x, new Float32Array([0.5, -1, 2.25, 10]));
  context.dispatch(graph, { x }, { y });`;

/** What the app reads from y, in float64. */
export const SMALL_GRAPH_VALUES = [0.5, -1, 2.25, 10].map((v, i) => (v + i + 1) * (i + 1));
