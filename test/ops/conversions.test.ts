/**
 * WebIDL conversions of builder arguments: a Symbol, a BigInt where a number is wanted, an object with no usable
 * primitive value or a bad iterator is a TypeError naming the operation and the argument; an error thrown by the
 * caller's own valueOf, toString or iterator propagates unchanged.
 */
import { assertThrows, builderFor, forEachBackend, withDynamicShapes } from '../util/harness.js';
import type { MLGraphBuilder } from '../../src/api/graph-builder.js';
import type { MLOperand } from '../../src/api/operand.js';

type Slot = 'number' | 'mlNumber' | 'string' | 'sequence';
type Call = (b: Record<string, (...args: unknown[]) => unknown>, x: Record<string, MLOperand>, bad: unknown) => unknown;

interface Case {
  readonly op: string;
  readonly argument: string;
  readonly slot: Slot;
  readonly call: Call;
}

const CASES: readonly Case[] = [
  { op: 'softmax', argument: 'axis', slot: 'number', call: (b, x, v) => b['softmax']!(x['f2'], v) },
  { op: 'concat', argument: 'axis', slot: 'number', call: (b, x, v) => b['concat']!([x['f2'], x['f2']], v) },
  { op: 'concat', argument: 'inputs', slot: 'sequence', call: (b, _x, v) => b['concat']!(v, 0) },
  { op: 'reshape', argument: 'newShape[0]', slot: 'number', call: (b, x, v) => b['reshape']!(x['f2'], [v, 3]) },
  { op: 'reshape', argument: 'newShape', slot: 'sequence', call: (b, x, v) => b['reshape']!(x['f2'], v) },
  { op: 'transpose', argument: 'options.permutation[1]', slot: 'number',
    call: (b, x, v) => b['transpose']!(x['f2'], { permutation: [0, v] }) },
  { op: 'expand', argument: 'newShape[1]', slot: 'number', call: (b, x, v) => b['expand']!(x['f2'], [2, v]) },
  { op: 'tile', argument: 'repetitions[0]', slot: 'number', call: (b, x, v) => b['tile']!(x['f2'], [v, 1]) },
  { op: 'tile', argument: 'repetitions', slot: 'sequence', call: (b, x, v) => b['tile']!(x['f2'], v) },
  { op: 'split', argument: 'splits', slot: 'number', call: (b, x, v) => b['split']!(x['f2'], v) },
  { op: 'split', argument: 'splits', slot: 'sequence', call: (b, x, v) => b['split']!(x['f2'], v) },
  { op: 'split', argument: 'options.axis', slot: 'number', call: (b, x, v) => b['split']!(x['f2'], 1, { axis: v }) },
  { op: 'gather', argument: 'options.axis', slot: 'number', call: (b, x, v) => b['gather']!(x['f2'], x['i1'], { axis: v }) },
  { op: 'cumulativeSum', argument: 'axis', slot: 'number', call: (b, x, v) => b['cumulativeSum']!(x['f2'], v) },
  { op: 'triangular', argument: 'options.diagonal', slot: 'number', call: (b, x, v) => b['triangular']!(x['f2'], { diagonal: v }) },
  { op: 'reduceSum', argument: 'options.axes[0]', slot: 'number', call: (b, x, v) => b['reduceSum']!(x['f2'], { axes: [v] }) },
  { op: 'leakyRelu', argument: 'options.alpha', slot: 'number', call: (b, x, v) => b['leakyRelu']!(x['f2'], { alpha: v }) },
  { op: 'gemm', argument: 'options.beta', slot: 'number', call: (b, x, v) => b['gemm']!(x['f2'], x['f3'], { beta: v }) },
  { op: 'batchNormalization', argument: 'options.epsilon', slot: 'number',
    call: (b, x, v) => b['batchNormalization']!(x['f2'], x['f1'], x['f1'], { epsilon: v }) },
  { op: 'clamp', argument: 'options.minValue', slot: 'mlNumber', call: (b, x, v) => b['clamp']!(x['f2'], { minValue: v }) },
  { op: 'pad', argument: 'options.value', slot: 'mlNumber', call: (b, x, v) => b['pad']!(x['f2'], [0, 0], [0, 0], { value: v }) },
  { op: 'pad', argument: 'options.mode', slot: 'string', call: (b, x, v) => b['pad']!(x['f2'], [0, 0], [0, 0], { mode: v }) },
  { op: 'pad', argument: 'beginningPadding[1]', slot: 'number', call: (b, x, v) => b['pad']!(x['f2'], [0, v], [0, 0]) },
  { op: 'cast', argument: 'dataType', slot: 'string', call: (b, x, v) => b['cast']!(x['f2'], v) },
  { op: 'resample2d', argument: 'options.scales[0]', slot: 'number',
    call: (b, x, v) => b['resample2d']!(x['f4'], { scales: [v, 1] }) },
  { op: 'resample2d', argument: 'options.mode', slot: 'string', call: (b, x, v) => b['resample2d']!(x['f4'], { mode: v }) },
  { op: 'conv2d', argument: 'options.strides[0]', slot: 'number', call: (b, x, v) => b['conv2d']!(x['f4'], x['f4'], { strides: [v, 1] }) },
  { op: 'conv2d', argument: 'options.inputLayout', slot: 'string',
    call: (b, x, v) => b['conv2d']!(x['f4'], x['f4'], { inputLayout: v }) },
  { op: 'averagePool2d', argument: 'options.windowDimensions', slot: 'sequence',
    call: (b, x, v) => b['averagePool2d']!(x['f4'], { windowDimensions: v }) },
  { op: 'gru', argument: 'options.activations[0]', slot: 'string',
    call: (b, x, v) => b['gru']!(x['f3'], x['f3'], x['f3'], 1, 1, { activations: [v, 'tanh'] }) },
  { op: 'relu', argument: 'options.label', slot: 'string', call: (b, x, v) => b['relu']!(x['f2'], { label: v }) },
  { op: 'MLGraphBuilder.input', argument: 'name', slot: 'string',
    call: (b, _x, v) => b['input']!(v, { dataType: 'float32', shape: [1] }) },
  { op: 'MLGraphBuilder.input', argument: 'descriptor.dataType', slot: 'string',
    call: (b, _x, v) => b['input']!('fresh', { dataType: v, shape: [1] }) },
  { op: 'MLGraphBuilder.constant', argument: 'value', slot: 'mlNumber', call: (b, _x, v) => b['constant']!('float32', v) },
];

/** Values every conversion of the slot's type rejects with its own TypeError. */
function badValues(slot: Slot): [string, unknown][] {
  const noPrimitive: [string, unknown][] = [
    ['an object without valueOf and toString', Object.create(null)],
    ['an object whose @@toPrimitive is not callable', { [Symbol.toPrimitive]: 1 }],
    ['an object whose @@toPrimitive returns an object', { [Symbol.toPrimitive]: () => ({}) }],
    ['an object whose valueOf and toString return objects', { valueOf: () => ({}), toString: () => ({}) }],
  ];
  switch (slot) {
    case 'number':
      return [['a Symbol', Symbol('s')], ['a BigInt', 1n], ['an object whose valueOf returns a Symbol', { valueOf: () => Symbol('v') }],
        ['an object whose valueOf returns a BigInt', { valueOf: () => 1n }], ...noPrimitive];
    case 'mlNumber':
      return [['a Symbol', Symbol('s')], ['an object whose valueOf returns a Symbol', { valueOf: () => Symbol('v') }], ...noPrimitive];
    case 'string':
      return [['a Symbol', Symbol('s')], ['an object whose toString returns a Symbol', { toString: () => Symbol('t') }], ...noPrimitive];
    case 'sequence':
      return [['a Symbol', Symbol('s')], ['a string', '12'], ['an object whose @@iterator is not callable', { [Symbol.iterator]: 3 }],
        ['an iterator that is not an object', { [Symbol.iterator]: () => 7 }],
        ['an iterator without next', { [Symbol.iterator]: () => ({}) }],
        ['an iterator whose result is not an object', { [Symbol.iterator]: () => ({ next: () => 1 }) }]];
  }
}

/** A value whose conversion runs the caller's code, which throws `error`. */
function throwing(slot: Slot, error: Error): unknown {
  const fail = () => { throw error; };
  switch (slot) {
    case 'number': case 'mlNumber': return { valueOf: fail };
    case 'string': return { toString: fail };
    case 'sequence': return { [Symbol.iterator]: () => ({ next: fail }) };
  }
}

function operands(b: MLGraphBuilder): Record<string, MLOperand> {
  return {
    f1: b.input('f1', { dataType: 'float32', shape: [3] }),
    f2: b.input('f2', { dataType: 'float32', shape: [2, 3] }),
    f3: b.input('f3', { dataType: 'float32', shape: [3, 3] }),
    f4: b.input('f4', { dataType: 'float32', shape: [1, 1, 3, 3] }),
    i1: b.input('i1', { dataType: 'int32', shape: [2] }),
  };
}

forEachBackend('WebIDL conversions of builder arguments', (backend) => {
  // The static API's conversions. With the dynamic-shape proposal on, the symbolic builder first copies plain objects
  // (dynamic/trials.ts's snapshotArgs), which drops symbol-keyed members such as @@iterator and @@toPrimitive and gives
  // null-prototype objects Object.prototype's valueOf and toString.
  withDynamicShapes(false);
  it('numbers convert as WebIDL says: truncated, -0.5 to +0, objects through valueOf, strings parsed', async () => {
    const b = await builderFor(backend);
    const x = b.input('x', { dataType: 'float32', shape: [2, 3] });
    const methods = b as unknown as Record<string, (...args: unknown[]) => MLOperand>;
    const squeezed = (axis: unknown) => methods['reduceSum']!(x, { axes: [axis] }).shape.join();
    if (squeezed(-0.5) !== '3' || squeezed(1.9) !== '2' || squeezed({ valueOf: () => 1 }) !== '2' || squeezed(' 1 ') !== '2') {
      throw new Error('converted axes');
    }
    const slope = methods['leakyRelu']!(x, { alpha: { [Symbol.toPrimitive]: (hint: string) => (hint === 'number' ? 0.5 : NaN) } });
    if (slope.shape.join() !== '2,3') throw new Error('@@toPrimitive with the number hint');
  });

  for (const c of CASES) {
    it(`${c.op} ${c.argument}: bad ${c.slot} values are TypeErrors naming both; the caller's own error propagates`, async () => {
      const b = await builderFor(backend);
      const methods = b as unknown as Record<string, (...args: unknown[]) => unknown>;
      const x = operands(b);
      for (const [what, bad] of badValues(c.slot)) {
        try {
          await assertThrows(() => c.call(methods, x, bad), 'TypeError', `${c.op}`);
          await assertThrows(() => c.call(methods, x, bad), 'TypeError', c.argument);
        } catch (e) {
          throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
        }
      }
      const mine = new RangeError('from the caller');
      let thrown: unknown;
      try {
        c.call(methods, x, throwing(c.slot, mine));
      } catch (e) {
        thrown = e;
      }
      if (thrown !== mine) throw new Error(`the caller's error was not rethrown as is: ${String(thrown)}`);
    });
  }
});
