/** com.microsoft activations and sums: Gelu, BiasGelu, FastGelu, QuickGelu, BiasAdd. */
import type { Converter, ConverterTable } from './converter.js';
import type { NodeImport } from './node-import.js';
import type { Operand } from './webnn-types.js';

/** Input 0 plus the optional bias at input 1. */
function withBias(n: NodeImport): Operand {
  const x = n.operand(0);
  return n.has(1) ? n.builder.add(x, n.operand(1)) : x;
}

const gelu: Converter = { convert: (n) => n.builder.gelu(n.operand(0)) };

const biasGelu: Converter = { convert: (n) => n.builder.gelu(withBias(n)) };

/** The tanh form: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))). */
const fastGelu: Converter = {
  convert(n) {
    const b = n.builder;
    const x = withBias(n);
    const c = (v: number) => n.scalar(x.dataType, v);
    const inner = b.mul(c(Math.sqrt(2 / Math.PI)), b.add(x, b.mul(c(0.044715), b.mul(x, b.mul(x, x)))));
    return b.mul(b.mul(c(0.5), x), b.add(c(1), b.tanh(inner)));
  },
};

/** x sigmoid(alpha x). */
const quickGelu: Converter = {
  convert(n) {
    const x = n.operand(0);
    return n.builder.mul(x, n.builder.sigmoid(n.builder.mul(x, n.scalar(x.dataType, n.float('alpha', 1.702)))));
  },
};

/** input + bias + skip. */
const biasAdd: Converter = {
  convert(n) {
    return n.builder.add(n.builder.add(n.operand(0), n.operand(1)), n.operand(2));
  },
};

export const MICROSOFT_ELEMENTWISE_CONVERTERS: ConverterTable = [
  ['Gelu', gelu],
  ['BiasGelu', biasGelu],
  ['FastGelu', fastGelu],
  ['QuickGelu', quickGelu],
  ['BiasAdd', biasAdd],
];
