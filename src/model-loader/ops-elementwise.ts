/** Element-wise ONNX operators: arithmetic, comparisons, logic, unary functions, activations, Clip. */
import type { Converter, ConverterTable } from './converter.js';
import { hostBinary, hostCast } from './host-ops.js';
import { hostTensor, toNumbers, type HostDataType } from './host-tensor.js';
import type { NodeImport, Produced } from './node-import.js';
import type { Operand } from './webnn-types.js';

type BinaryMethod = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'equal' | 'greater' | 'greaterOrEqual' |
  'lesser' | 'lesserOrEqual' | 'logicalAnd' | 'logicalOr' | 'logicalXor';

const isInteger = (t: HostDataType) => t !== 'float32' && t !== 'float16' && t !== 'float64';

/** How a binary operation folds on the host (results rounded to the output type as WebNN's would be). */
const FOLDS: Partial<Record<BinaryMethod, (x: number, y: number, integer: boolean) => number>> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y, integer) => (integer ? Math.trunc(x / y) : x / y),
  max: (x, y) => Math.max(x, y),
  min: (x, y) => Math.min(x, y),
  equal: (x, y) => Number(x === y),
  greater: (x, y) => Number(x > y),
  lesser: (x, y) => Number(x < y),
};

const COMPARISONS = new Set<BinaryMethod>(['equal', 'greater', 'greaterOrEqual', 'lesser', 'lesserOrEqual']);

function binaryOf(n: NodeImport, method: BinaryMethod, a: number, b: number): Produced {
  const fold = FOLDS[method];
  const x = n.host(a);
  const y = n.host(b);
  if (fold && x && y && (method !== 'div' || !isInteger(x.dataType) || !y.data.some((v: number | bigint) => Number(v) === 0))) {
    const outType = COMPARISONS.has(method) ? 'bool' : x.dataType;
    const integer = isInteger(x.dataType);
    const folded = hostBinary(x, y, outType, (p, q) => fold(p, q, integer));
    if (folded) return folded;
  }
  return n.builder[method](n.operand(a), n.operand(b));
}

const binary = (method: BinaryMethod): Converter => ({ minOpset: 7, convert: (n) => binaryOf(n, method, 0, 1) });

/** Pow takes an exponent of another type than the base (opset 12 on); WebNN wants one type. */
const pow: Converter = {
  minOpset: 7,
  convert(n) {
    const base = n.operand(0);
    const exponentHost = n.host(1);
    let exponent: Operand;
    if (n.dataType(1) === base.dataType) exponent = n.operand(1);
    else if (exponentHost) exponent = n.builder.constant({ dataType: base.dataType, shape: [...exponentHost.shape] }, hostCast(exponentHost, base.dataType).data);
    else exponent = n.builder.cast(n.operand(1), base.dataType);
    return n.builder.pow(base, exponent);
  },
};

/** Sum, Mean, Max, Min: any number of inputs, broadcast together. */
function variadic(method: 'add' | 'max' | 'min', mean = false): Converter {
  return {
    minOpset: 8,
    convert(n) {
      let result: Produced | null = null;
      for (let k = 0; k < n.inputCount; k++) {
        if (!n.has(k)) continue;
        const next = n.operand(k);
        result = result === null ? next : n.builder[method](result as Operand, next);
      }
      if (result === null) throw n.invalid('it has no inputs');
      if (!mean) return n.inputCount === 1 ? n.builder.identity(result as Operand) : result;
      const sum = result as Operand;
      const count = n.scalar(sum.dataType, n.inputCount);
      return n.builder.div(sum, count);
    },
  };
}

type UnaryMethod = 'abs' | 'ceil' | 'cos' | 'erf' | 'exp' | 'floor' | 'log' | 'neg' | 'reciprocal' | 'roundEven' | 'sin' |
  'sign' | 'sqrt' | 'tan' | 'logicalNot' | 'isNaN' | 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'softsign' | 'hardSwish';

/**
 * Unary operations that fold on the host (a Clip bound written as Neg of a constant): each is correctly rounded in
 * float64 and again when stored as float32 or float16, so the folded value is the one WebNN would compute.
 */
const UNARY_FOLDS: Partial<Record<UnaryMethod, (x: number) => number>> = {
  abs: Math.abs, ceil: Math.ceil, floor: Math.floor, neg: (x) => -x, reciprocal: (x) => 1 / x, sqrt: Math.sqrt,
};

const unary = (method: UnaryMethod, minOpset = 6): Converter => ({
  minOpset,
  convert(n) {
    const host = n.host(0);
    const fold = UNARY_FOLDS[method];
    if (host && fold && !isInteger(host.dataType)) return hostTensor(host.dataType, host.shape, toNumbers(host).map(fold));
    return n.builder[method](n.operand(0));
  },
});

/** Identity and Dropout (inference) pass their input on, a host tensor staying one so that folding goes on. */
const passThrough: Converter = {
  minOpset: 1,
  convert(n) {
    const host = n.host(0);
    return host ?? n.operand(0);
  },
};

const dropout: Converter = {
  minOpset: 7,
  convert(n) {
    // The mask output (opset 10 on: bool) is left uncomputed; a model that reads it fails at the reader.
    return passThrough.convert(n);
  },
};

const leakyRelu: Converter = {
  minOpset: 6,
  convert: (n) => n.builder.leakyRelu(n.operand(0), { alpha: n.float('alpha', 0.01) }),
};

const elu: Converter = {
  minOpset: 6,
  convert: (n) => n.builder.elu(n.operand(0), { alpha: n.float('alpha', 1) }),
};

const hardSigmoid: Converter = {
  minOpset: 6,
  convert: (n) => n.builder.hardSigmoid(n.operand(0), { alpha: n.float('alpha', 0.2), beta: n.float('beta', 0.5) }),
};

const gelu: Converter = {
  minOpset: 20,
  convert(n) {
    n.require(n.string('approximate', 'none') === 'none', "approximate 'tanh' is not mapped (WebNN's gelu is the erf form)");
    return n.builder.gelu(n.operand(0));
  },
};

const isInf: Converter = {
  minOpset: 10,
  convert(n) {
    const negative = n.int('detect_negative', 1);
    const positive = n.int('detect_positive', 1);
    const x = n.operand(0);
    if (negative && positive) return n.builder.isInfinite(x);
    const zero = n.scalar(x.dataType, 0);
    const sideOf = positive ? n.builder.greater(x, zero) : n.builder.lesser(x, zero);
    if (!negative && !positive) return n.builder.logicalAnd(sideOf, n.builder.logicalNot(sideOf));
    return n.builder.logicalAnd(n.builder.isInfinite(x), sideOf);
  },
};

/** Clip: bounds as attributes before opset 11, as optional constant inputs from 11 on. */
const clip: Converter = {
  minOpset: 6,
  convert(n) {
    const options: { minValue?: number; maxValue?: number } = {};
    if (n.opset < 11) {
      if (n.hasAttribute('min')) options.minValue = n.float('min', 0);
      if (n.hasAttribute('max')) options.maxValue = n.float('max', 0);
    } else {
      if (n.has(1)) options.minValue = scalarOf(n, 1, 'min');
      if (n.has(2)) options.maxValue = scalarOf(n, 2, 'max');
    }
    return n.builder.clamp(n.operand(0), options);
  },
};

function scalarOf(n: NodeImport, k: number, what: string): number {
  const values = n.constantNumbers(k, what);
  if (values.length !== 1) throw n.invalid(`its ${what} has ${values.length} values, not one`);
  return values[0]!;
}

/** Shrink: x + bias below -lambd, x - bias above lambd, 0 between; written with comparisons and where(). */
const shrink: Converter = {
  minOpset: 9,
  convert(n) {
    const x = n.operand(0);
    const scalar = (v: number) => n.scalar(x.dataType, v);
    const lambd = n.float('lambd', 0.5);
    const bias = scalar(n.float('bias', 0));
    const above = n.builder.where(n.builder.greater(x, scalar(lambd)), n.builder.sub(x, bias), scalar(0));
    return n.builder.where(n.builder.lesser(x, scalar(-lambd)), n.builder.add(x, bias), above);
  },
};

const where: Converter = {
  minOpset: 9,
  convert: (n) => n.builder.where(n.operand(0), n.operand(1), n.operand(2)),
};

const prelu: Converter = {
  minOpset: 7,
  convert: (n) => n.builder.prelu(n.operand(0), n.operand(1)),
};

export const ELEMENTWISE_CONVERTERS: ConverterTable = [
  ['Add', binary('add')],
  ['Sub', binary('sub')],
  ['Mul', binary('mul')],
  ['Div', binary('div')],
  ['Pow', pow],
  ['Equal', binary('equal')],
  ['Greater', binary('greater')],
  ['Less', binary('lesser')],
  ['GreaterOrEqual', { minOpset: 12, convert: (n) => binaryOf(n, 'greaterOrEqual', 0, 1) }],
  ['LessOrEqual', { minOpset: 12, convert: (n) => binaryOf(n, 'lesserOrEqual', 0, 1) }],
  ['And', binary('logicalAnd')],
  ['Or', binary('logicalOr')],
  ['Xor', binary('logicalXor')],
  ['Sum', variadic('add')],
  ['Mean', variadic('add', true)],
  ['Max', variadic('max')],
  ['Min', variadic('min')],
  ['Abs', unary('abs')],
  ['Ceil', unary('ceil')],
  ['Cos', unary('cos', 7)],
  ['Erf', unary('erf', 9)],
  ['Exp', unary('exp')],
  ['Floor', unary('floor')],
  ['Log', unary('log')],
  ['Neg', unary('neg')],
  ['Reciprocal', unary('reciprocal')],
  ['Round', unary('roundEven', 11)],
  ['Sin', unary('sin', 7)],
  ['Sign', unary('sign', 9)],
  ['Sqrt', unary('sqrt')],
  ['Tan', unary('tan', 7)],
  ['Not', unary('logicalNot', 1)],
  ['IsNaN', unary('isNaN', 9)],
  ['IsInf', isInf],
  ['Relu', unary('relu')],
  ['Sigmoid', unary('sigmoid')],
  ['Tanh', unary('tanh')],
  ['Softplus', unary('softplus', 1)],
  ['Softsign', unary('softsign', 1)],
  ['HardSwish', unary('hardSwish', 14)],
  ['LeakyRelu', leakyRelu],
  ['Elu', elu],
  ['HardSigmoid', hardSigmoid],
  ['Gelu', gelu],
  ['Clip', clip],
  ['Where', where],
  ['Shrink', shrink],
  ['PRelu', prelu],
  ['Identity', passThrough],
  ['Dropout', dropout],
];

