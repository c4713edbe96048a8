/**
 * Operators that move data or make tensors: what only moves data folds on the host when its input is a host tensor, so
 * Shape -> Gather -> Concat -> Reshape chains on static shapes end as constants.
 */
import type { Converter, ConverterTable } from './converter.js';
import { broadcastShapes, hostCast, hostConcat, hostGather, hostReshape, hostSlice } from './host-ops.js';
import { elementCount, hostTensor, toNumbers, type HostTensor } from './host-tensor.js';
import { webnnTypeOf } from './materialize.js';
import type { NodeImport, Produced } from './node-import.js';
import { dataTypeOfElemType } from './onnx-tensor.js';
import {
  constantOfShapeDynamic, expandDynamic, flattenNamed, padDynamic, rangeDynamic, reshapeComputed, reshapeWithNames,
  shapeValue, sizeValue, sliceDynamic, splitDynamic, squeezeNamed, tileDynamic, unsqueezeNamed, type SliceArgument,
} from './ops-shape-dynamic.js';
import { dimensionScalar } from './shape-values.js';
import { isStaticShape } from './symbolic.js';
import type { Operand } from './webnn-types.js';

/** Input k reshaped: on the host if it is there, else with WebNN's reshape. */
function reshapeInput(n: NodeImport, k: number, shape: readonly number[]): Produced {
  const host = n.host(k);
  if (host) return hostReshape(host, shape);
  return n.builder.reshape(n.operand(k), shape);
}

/** ONNX's Reshape target: 0 copies the input's size (unless allowzero), -1 takes what is left. */
function resolveShape(n: NodeImport, input: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const shape = target.map((d, k) => (d === 0 && !allowZero ? input[k]! : d));
  const inferred = shape.indexOf(-1);
  if (inferred >= 0) {
    const known = shape.reduce((p, d, k) => (k === inferred ? p : p * d), 1);
    shape[inferred] = known === 0 ? 0 : elementCount(input) / known;
  }
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || elementCount(shape) !== elementCount(input)) {
    throw n.invalid(`cannot reshape [${input.join(', ')}] to [${target.join(', ')}]`);
  }
  return shape;
}

const reshape: Converter = {
  minOpset: 5,
  convert(n) {
    const allowZero = n.int('allowzero', 0) === 1;
    const target = n.host(1);
    if (!target) return reshapeComputed(n, n.operand(0), n.operand(1), allowZero);
    const dims = n.dims(0);
    if (!isStaticShape(dims)) return reshapeWithNames(n, n.operand(0), toNumbers(target), allowZero);
    return reshapeInput(n, 0, resolveShape(n, dims, toNumbers(target), allowZero));
  },
};

const flatten: Converter = {
  minOpset: 1,
  convert(n) {
    const dims = n.dims(0);
    const axis = n.int('axis', 1);
    const at = axis === dims.length ? axis : n.axis(axis, dims.length);
    if (!isStaticShape(dims)) return flattenNamed(n, n.operand(0), at);
    const shape = dims;
    return reshapeInput(n, 0, [elementCount(shape.slice(0, at)), elementCount(shape.slice(at))]);
  },
};

/** Axes of Squeeze / Unsqueeze: an attribute before opset 13, an input from 13 on. */
function axesOf(n: NodeImport): number[] | undefined {
  if (n.opset < 13) return n.ints('axes')?.slice();
  return n.has(1) ? n.constantNumbers(1, 'axes') : undefined;
}

const squeeze: Converter = {
  minOpset: 1,
  convert(n) {
    const dims = n.dims(0);
    if (!isStaticShape(dims)) return squeezeNamed(n, n.operand(0), axesOf(n)?.map((a) => n.axis(a, dims.length)));
    const shape = dims;
    const axes = axesOf(n)?.map((a) => n.axis(a, shape.length)) ?? shape.flatMap((d, k) => (d === 1 ? [k] : []));
    if (axes.some((a) => shape[a] !== 1)) throw n.invalid(`squeezes an axis of size other than 1 in [${shape.join(', ')}]`);
    return reshapeInput(n, 0, shape.filter((_, k) => !axes.includes(k)));
  },
};

const unsqueeze: Converter = {
  minOpset: 1,
  convert(n) {
    const dims = n.dims(0);
    const given = axesOf(n);
    if (!given) throw n.invalid('axes are missing');
    const rank = dims.length + given.length;
    const axes = given.map((a) => n.axis(a, rank));
    if (!isStaticShape(dims)) return unsqueezeNamed(n, n.operand(0), axes);
    const shape = dims;
    const out: number[] = [];
    let next = 0;
    for (let k = 0; k < rank; k++) out.push(axes.includes(k) ? 1 : shape[next++]!);
    return reshapeInput(n, 0, out);
  },
};

const transpose: Converter = {
  minOpset: 1,
  convert(n) {
    const rank = n.rank(0);
    const permutation = n.ints('perm') ?? [...Array(rank).keys()].reverse();
    return n.builder.transpose(n.operand(0), { permutation });
  },
};

const concat: Converter = {
  minOpset: 4,
  convert(n) {
    const ks = [...Array(n.inputCount).keys()].filter((k) => n.has(k));
    const rank = n.rank(ks[0]!);
    const axis = n.axis(n.int('axis', 0), rank);
    const hosts = ks.map((k) => n.host(k));
    if (hosts.every((h): h is HostTensor => h !== null)) return hostConcat(hosts, axis);
    // Empty inputs (a size-0 axis) add nothing; WebNN has no empty tensors.
    const operands = ks.filter((k) => !n.dims(k).includes(0)).map((k) => n.operand(k));
    return operands.length === 1 ? n.builder.identity(operands[0]!) : n.builder.concat(operands, axis);
  },
};

/** Slice's bounds resolved as ONNX resolves them: clamped starts, element counts and steps for every axis. */
function sliceBounds(n: NodeImport): { starts: number[]; sizes: number[]; steps: number[] } {
  const shape = n.shape(0);
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (n.opset < 10) {
    starts = n.ints('starts')?.slice() ?? [];
    ends = n.ints('ends')?.slice() ?? [];
    axes = n.ints('axes')?.slice();
  } else {
    starts = n.constantNumbers(1, 'starts');
    ends = n.constantNumbers(2, 'ends');
    if (n.has(3)) axes = n.constantNumbers(3, 'axes');
    if (n.has(4)) steps = n.constantNumbers(4, 'steps');
  }
  const result = { starts: shape.map(() => 0), sizes: [...shape], steps: shape.map(() => 1) };
  (axes ?? starts.map((_, k) => k)).forEach((a, k) => {
    const axis = n.axis(a, shape.length);
    const dim = shape[axis]!;
    const step = steps?.[k] ?? 1;
    if (step === 0) throw n.invalid('a step is 0');
    let start = starts[k]!;
    let end = ends[k]!;
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
    } else {
      start = Math.min(Math.max(start, 0), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
    }
    result.starts[axis] = start;
    result.sizes[axis] = Math.max(0, Math.ceil((end - start) / step));
    result.steps[axis] = step;
  });
  return result;
}

/** Slice where an axis is a named dimension or starts / ends are computed at run time. */
function dynamicSlice(n: NodeImport): Operand {
  const argument = (k: number, attribute: string): SliceArgument => {
    if (n.opset < 10) return n.ints(attribute) ?? [];
    const host = n.host(k);
    return host ? toNumbers(host) : n.operand(k);
  };
  const starts = argument(1, 'starts');
  const count = Array.isArray(starts) ? starts.length : (starts as Operand).shape[0];
  if (typeof count !== 'number') throw n.invalid('its starts are not a 1-D tensor');
  const rank = n.rank(0);
  const givenAxes = n.opset < 10 ? n.ints('axes') : n.has(3) ? n.constantNumbers(3, 'axes') : undefined;
  const axes = (givenAxes ?? [...Array(count).keys()]).map((a) => n.axis(a, rank));
  const steps = n.opset >= 10 && n.has(4) ? n.constantNumbers(4, 'steps') : axes.map(() => 1);
  if (steps.some((s) => s === 0)) throw n.invalid('a step is 0');
  return sliceDynamic(n, n.operand(0), starts, argument(2, 'ends'), axes, steps);
}

const slice: Converter = {
  minOpset: 1,
  convert(n) {
    if (!isStaticShape(n.dims(0)) || (n.opset >= 10 && (!n.host(1) || !n.host(2)))) return dynamicSlice(n);
    const { starts, sizes, steps } = sliceBounds(n);
    const host = n.host(0);
    if (host) return hostSlice(host, starts, sizes, steps);
    if (sizes.some((s) => s === 0)) throw n.unsupported('an empty slice has no WebNN tensor');
    let x = n.operand(0);
    const reversed = steps.flatMap((s, k) => (s < 0 ? [k] : []));
    if (reversed.length > 0) {
      // WebNN's strides are positive: a negative step walks the reversed axis forwards.
      x = n.builder.reverse(x, { axes: reversed });
      for (const k of reversed) {
        starts[k] = x.shape[k]! - 1 - starts[k]!;
        steps[k] = -steps[k]!;
      }
    }
    if (steps.every((s) => s === 1)) return n.builder.slice(x, starts, sizes);
    // WebNN's sizes are the extent of input sliced, of which every stride-th element is taken.
    const extents = sizes.map((count, k) => (count - 1) * steps[k]! + 1);
    return n.builder.slice(x, starts, extents, { strides: steps });
  },
};

const gather: Converter = {
  minOpset: 1,
  convert(n) {
    const shape = n.dims(0);
    const axis = n.axis(n.int('axis', 0), shape.length);
    const dim = shape[axis]!;
    const indicesHost = n.host(1);
    if (indicesHost && typeof dim === 'string') {
      // Indices into a named axis: negative ones count from its size, known at run time.
      if (toNumbers(indicesHost).some((i) => i < 0)) return gatherIndexed(n, axis, n.operand(1));
      return n.builder.gather(n.operand(0), n.operand(1), { axis });
    }
    if (indicesHost && typeof dim === 'number') {
      const indices = toNumbers(indicesHost).map((i) => (i < 0 ? i + dim : i));
      if (indices.some((i) => i < 0 || i >= dim)) throw n.invalid(`an index is outside [${-dim}, ${dim})`);
      const host = n.host(0);
      if (host) return hostGather(host, indices, indicesHost.shape, axis);
      const indicesType = n.supports('gather', 'indices', 'int32') ? 'int32' : 'int64';
      const operand = n.builder.constant({ dataType: indicesType, shape: [...indicesHost.shape] },
        hostTensor(indicesType, indicesHost.shape, indices).data);
      return n.builder.gather(n.operand(0), operand, { axis });
    }
    return gatherIndexed(n, axis, n.operand(1));
  },
};

/** Gather with indices computed at run time (or into a named axis): negative ones count from the end, as ONNX says. */
function gatherIndexed(n: NodeImport, axis: number, indices: Operand): Operand {
  const x = n.operand(0);
  const zero = n.scalar(indices.dataType, 0);
  const size = dimensionScalar(n, x, axis, indices.dataType);
  const counted = n.builder.where(n.builder.lesser(indices, zero), n.builder.add(indices, size), indices);
  return n.builder.gather(x, counted, { axis });
}

const shapeOf: Converter = {
  minOpset: 1,
  convert(n) {
    const shape = n.dims(0);
    const rank = shape.length;
    const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
    const start = clampAxis(n.int('start', 0));
    const end = n.hasAttribute('end') ? clampAxis(n.int('end', rank)) : rank;
    const dims = shape.slice(start, Math.max(start, end));
    // The sizes taken fold on the host even where other axes are named.
    if (!isStaticShape(dims)) return shapeValue(n, n.operand(0), start, end);
    return hostTensor('int64', [dims.length], dims);
  },
};

const size: Converter = {
  minOpset: 1,
  convert(n) {
    const dims = n.dims(0);
    return isStaticShape(dims) ? hostTensor('int64', [], [elementCount(dims)]) : sizeValue(n, n.operand(0));
  },
};

function castTo(n: NodeImport, k: number, to: ReturnType<typeof dataTypeOfElemType>): Produced {
  const host = n.host(k);
  if (host) return hostCast(host, to);
  const x = n.operand(k);
  if (to === 'bool') {
    // ONNX's bool is 0 or 1; WebNN's uint8 cast would keep other values.
    const zero = n.scalar(x.dataType, 0);
    return n.builder.logicalNot(n.builder.equal(x, zero));
  }
  const type = webnnTypeOf(to);
  if (!type) throw n.unsupported(`a cast to ${to}, which has no WebNN type`);
  return type === x.dataType ? x : n.builder.cast(x, type);
}

const cast: Converter = {
  minOpset: 6,
  convert: (n) => castTo(n, 0, dataTypeOfElemType(n.int('to', 0), n.label)),
};

const castLike: Converter = {
  minOpset: 15,
  convert: (n) => castTo(n, 0, n.dataType(1)),
};

const constant: Converter = {
  minOpset: 1,
  convert(n) {
    const tensor = n.tensor('value');
    if (tensor) return tensor;
    if (n.hasAttribute('value_float')) return hostTensor('float32', [], [n.float('value_float', 0)]);
    if (n.hasAttribute('value_int')) return hostTensor('int64', [], [n.int('value_int', 0)]);
    const floats = n.ints('value_floats');
    if (floats) return hostTensor('float32', [floats.length], floats);
    const ints = n.ints('value_ints');
    if (ints) return hostTensor('int64', [ints.length], ints);
    throw n.unsupported('only value, value_float(s) and value_int(s) constants are mapped');
  },
};

const constantOfShape: Converter = {
  minOpset: 9,
  convert(n) {
    const value = n.tensor('value') ?? hostTensor('float32', [1], [0]);
    if (!n.host(0)) return constantOfShapeDynamic(n, value, n.operand(0));
    const shape = n.constantNumbers(0, 'shape');
    return hostTensor(value.dataType, shape, new Array<number>(elementCount(shape)).fill(toNumbers(value)[0] ?? 0));
  },
};

const range: Converter = {
  minOpset: 11,
  convert(n) {
    if (!n.allHost()) return rangeDynamic(n);
    const [start, limit, delta] = [0, 1, 2].map((k) => toNumbers(n.constant(k, ['start', 'limit', 'delta'][k]!))[0]!);
    const count = Math.max(Math.ceil((limit! - start!) / delta!), 0);
    return hostTensor(n.dataType(0), [count], Array.from({ length: count }, (_, k) => start! + k * delta!));
  },
};

const expand: Converter = {
  minOpset: 8,
  convert(n) {
    if (!n.host(1) || !isStaticShape(n.dims(0))) return expandDynamic(n, n.operand(0), n.host(1), n.operand(1));
    const target = n.constantNumbers(1, 'shape');
    const shape = broadcastShapes(n.shape(0), target);
    if (!shape) throw n.invalid(`cannot expand [${n.shape(0).join(', ')}] to [${target.join(', ')}]`);
    return n.builder.expand(n.operand(0), shape);
  },
};

const split: Converter = {
  minOpset: 2,
  convert(n) {
    const x = n.operand(0);
    const axis = n.axis(n.int('axis', 0), x.shape.length);
    const dim = n.dims(0)[axis]!;
    const count = n.node.outputs.length;
    if (n.opset >= 13 && n.has(1) && !n.host(1)) return splitDynamic(n, x, axis, n.operand(1));
    let splits: number[] | undefined = n.opset < 13 ? n.ints('split')?.slice() : n.has(1) ? n.constantNumbers(1, 'split') : undefined;
    if (!splits) {
      const parts = n.opset >= 18 ? n.int('num_outputs', count) : count;
      // Equal parts of a named axis: the proposal's split into a count of parts.
      if (typeof dim === 'string') return splitDynamic(n, x, axis, parts);
      const piece = Math.ceil(dim / parts);
      splits = Array.from({ length: parts }, (_, k) => Math.min(piece, dim - k * piece));
    }
    if (splits.some((s) => s <= 0)) throw n.unsupported('empty split outputs have no WebNN tensor');
    return n.builder.split(x, splits, { axis });
  },
};

const tile: Converter = {
  minOpset: 6,
  convert: (n) => (n.host(1) ? n.builder.tile(n.operand(0), n.constantNumbers(1, 'repeats')) : tileDynamic(n, n.operand(0), n.operand(1))),
};

const PAD_MODES: Record<string, string> = { constant: 'constant', reflect: 'reflection', edge: 'edge' };

const pad: Converter = {
  minOpset: 2,
  convert(n) {
    const x = n.operand(0);
    const rank = x.shape.length;
    const mode = PAD_MODES[n.string('mode', 'constant')];
    if (!mode) throw n.unsupported(`mode '${n.string('mode', 'constant')}' is not mapped`);
    let pads: number[];
    let value = 0;
    if (n.opset < 11) {
      pads = n.ints('pads')?.slice() ?? [];
      value = n.float('value', 0);
    } else {
      if (n.has(2)) value = n.constantNumbers(2, 'constant_value')[0] ?? 0;
      if (!n.host(1)) {
        if (mode !== 'constant' || value !== 0) throw n.unsupported('pads computed at run time are mapped for constant padding with 0 only (padDynamic)');
        const axes = n.opset >= 18 && n.has(3) ? n.constantNumbers(3, 'axes').map((a) => n.axis(a, rank)) : null;
        return padDynamic(n, x, n.operand(1), axes);
      }
      pads = n.constantNumbers(1, 'pads');
    }
    let begins = pads.slice(0, pads.length / 2);
    let ends = pads.slice(pads.length / 2);
    if (n.opset >= 18 && n.has(3)) {
      const axes = n.constantNumbers(3, 'axes').map((a) => n.axis(a, rank));
      const full = (part: number[]) => Array.from({ length: rank }, (_, k) => (axes.includes(k) ? part[axes.indexOf(k)]! : 0));
      begins = full(begins);
      ends = full(ends);
    }
    if (begins.length !== rank || ends.length !== rank) throw n.invalid(`pads has ${pads.length} values for rank ${rank}`);
    if ([...begins, ...ends].some((p) => p < 0)) throw n.unsupported('negative pads are not mapped');
    return n.builder.pad(x, begins, ends, { mode, value });
  },
};

export const SHAPE_CONVERTERS: ConverterTable = [
  ['Reshape', reshape],
  ['Flatten', flatten],
  ['Squeeze', squeeze],
  ['Unsqueeze', unsqueeze],
  ['Transpose', transpose],
  ['Concat', concat],
  ['Slice', slice],
  ['Gather', gather],
  ['Shape', shapeOf],
  ['Size', size],
  ['Cast', cast],
  ['CastLike', castLike],
  ['Constant', constant],
  ['ConstantOfShape', constantOfShape],
  ['Range', range],
  ['Expand', expand],
  ['Split', split],
  ['Tile', tile],
  ['Pad', pad],
];

