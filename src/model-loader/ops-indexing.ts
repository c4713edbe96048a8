/** Index-driven ONNX operators (GatherElements, GatherND, ScatterElements, ScatterND) and DepthToSpace / SpaceToDepth. */
import type { Converter, ConverterTable } from './converter.js';
import { hostTensor, toNumbers } from './host-tensor.js';
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

/**
 * Input k as WebNN indices: ONNX counts negative indices from the end of the axis they index (of size `dim`, or per
 * last-axis position for GatherND / ScatterND), which is done on the host for constants and with where() otherwise.
 */
function indicesOf(n: NodeImport, k: number, dims: readonly number[]): Operand {
  const host = n.host(k);
  const width = dims.length;
  if (host) {
    const values = toNumbers(host).map((v, i) => (v < 0 ? v + dims[i % width]! : v));
    const type = host.dataType === 'int32' ? 'int32' : 'int64';
    const dataType = type === 'int64' && !n.supports('constant', '', 'int64') ? 'int32' : type;
    return n.builder.constant({ dataType, shape: [...host.shape] }, hostTensor(dataType, host.shape, values).data);
  }
  const indices = n.operand(k);
  const zero = n.scalar(indices.dataType, 0);
  const sizes = width === 1
    ? n.scalar(indices.dataType, dims[0]!)
    : n.builder.constant({ dataType: indices.dataType, shape: [width] }, hostTensor(indices.dataType, [width], [...dims]).data);
  return n.builder.where(n.builder.lesser(indices, zero), n.builder.add(indices, sizes), indices);
}

const gatherElements: Converter = {
  minOpset: 11,
  convert(n) {
    const input = n.operand(0);
    const axis = n.axis(n.int('axis', 0), input.shape.length);
    return n.builder.gatherElements(input, indicesOf(n, 1, [input.shape[axis]!]), { axis });
  },
};

const gatherND: Converter = {
  minOpset: 11,
  convert(n) {
    n.require(n.int('batch_dims', 0) === 0, 'batch_dims other than 0 is not mapped');
    const input = n.operand(0);
    const width = n.shape(1).at(-1) ?? 0;
    return n.builder.gatherND(input, indicesOf(n, 1, input.shape.slice(0, width)));
  },
};

const scatterElements: Converter = {
  minOpset: 11,
  convert(n) {
    n.require(n.string('reduction', 'none') === 'none', `reduction '${n.string('reduction', 'none')}' is not mapped`);
    const input = n.operand(0);
    const axis = n.axis(n.int('axis', 0), input.shape.length);
    return n.builder.scatterElements(input, indicesOf(n, 1, [input.shape[axis]!]), n.operand(2), { axis });
  },
};

const scatterND: Converter = {
  minOpset: 11,
  convert(n) {
    n.require(n.string('reduction', 'none') === 'none', `reduction '${n.string('reduction', 'none')}' is not mapped`);
    const input = n.operand(0);
    const width = n.shape(1).at(-1) ?? 0;
    return n.builder.scatterND(input, indicesOf(n, 1, input.shape.slice(0, width)), n.operand(2));
  },
};

/** DepthToSpace as reshape -> transpose -> reshape, in DCR (depth, column, row) or CRD order. */
const depthToSpace: Converter = {
  minOpset: 1,
  convert(n) {
    const x = n.operand(0);
    if (x.shape.length !== 4) throw n.invalid(`its input has rank ${x.shape.length}, not 4`);
    const [batch, channels, height, width] = x.shape as [number, number, number, number];
    const b = n.int('blocksize', 0);
    if (!(b > 0) || channels % (b * b) !== 0) throw n.invalid(`blocksize ${b} does not divide ${channels} channels`);
    const c = channels / (b * b);
    const crd = n.opset >= 11 && n.string('mode', 'DCR') === 'CRD';
    const split = n.builder.reshape(x, crd ? [batch, c, b, b, height, width] : [batch, b, b, c, height, width]);
    const moved = n.builder.transpose(split, { permutation: crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2] });
    return n.builder.reshape(moved, [batch, c, height * b, width * b]);
  },
};

const spaceToDepth: Converter = {
  minOpset: 1,
  convert(n) {
    const x = n.operand(0);
    if (x.shape.length !== 4) throw n.invalid(`its input has rank ${x.shape.length}, not 4`);
    const [batch, channels, height, width] = x.shape as [number, number, number, number];
    const b = n.int('blocksize', 0);
    if (!(b > 0) || height % b !== 0 || width % b !== 0) throw n.invalid(`blocksize ${b} does not divide ${height}x${width}`);
    const split = n.builder.reshape(x, [batch, channels, height / b, b, width / b, b]);
    const moved = n.builder.transpose(split, { permutation: [0, 3, 5, 1, 2, 4] });
    return n.builder.reshape(moved, [batch, channels * b * b, height / b, width / b]);
  },
};

export const INDEXING_CONVERTERS: ConverterTable = [
  ['GatherElements', gatherElements],
  ['GatherND', gatherND],
  ['ScatterElements', scatterElements],
  ['ScatterND', scatterND],
  ['DepthToSpace', depthToSpace],
  ['SpaceToDepth', spaceToDepth],
];
