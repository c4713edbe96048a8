/** com.microsoft's block-quantized operators (MatMulNBits) against float64 dequantization and products. */
import { assertClose, assertThrows, forEachBackend, randomData } from '../util/harness.js';
import { ELEM, int } from '../browser/onnx/model-writer.js';
import { numberToFloat16Bits, roundToFloat16 } from '../../src/types/float16.js';
import { contribFeeds, contribModel, randomTensor, type ContribTensor } from './model-util.js';
import { matmulRef, type Tensor } from './reference.js';
import { loadModel, runModel } from './run-model.js';

const randomBytes = (count: number, seed: number) => Uint8Array.from(randomData(count, seed, 0, 256), Math.floor);

/** The `bits`-bit values of packed bytes, the first in the lowest bits of each byte. */
function unpack(bytes: Uint8Array, bits: number): number[] {
  const values: number[] = [];
  for (const byte of bytes) {
    for (let shift = 0; shift < 8; shift += bits) values.push((byte >> shift) % 2 ** bits);
  }
  return values;
}

interface NBitsCase {
  depth: number;
  columns: number;
  bits: number;
  blockSize: number;
  zeroPoints: boolean;
}

/** MatMulNBits' B, scales and zero points, and the (K, N) weights they hold, dequantized in float64. */
function quantizedWeights(c: NBitsCase, seed: number, scaleValues?: readonly number[]) {
  const blocks = Math.ceil(c.depth / c.blockSize);
  const blockBytes = (c.blockSize * c.bits) / 8;
  const packed = randomBytes(c.columns * blocks * blockBytes, seed);
  const scales = randomTensor([c.columns * blocks], seed + 1, 0.01, 0.1);
  const zeroBytes = Math.ceil((blocks * c.bits) / 8);
  const zeroPoints = randomBytes(c.columns * zeroBytes, seed + 2);
  const weights: number[] = new Array<number>(c.depth * c.columns);
  for (let n = 0; n < c.columns; n++) {
    const row = unpack(packed.subarray(n * blocks * blockBytes, (n + 1) * blocks * blockBytes), c.bits);
    const zeros = unpack(zeroPoints.subarray(n * zeroBytes, (n + 1) * zeroBytes), c.bits);
    for (let k = 0; k < c.depth; k++) {
      const block = Math.floor(k / c.blockSize);
      const zero = c.zeroPoints ? zeros[block]! : 2 ** (c.bits - 1);
      weights[k * c.columns + n] = (row[k]! - zero) * (scaleValues ?? scales.data)[n * blocks + block]!;
    }
  }
  const inputs: ContribTensor[] = [
    { name: 'B', shape: [c.columns, blocks, blockBytes], data: packed, constant: true },
    { name: 'scales', shape: scales.shape, data: Float32Array.from(scales.data), constant: true },
  ];
  const zeroInput: ContribTensor = { name: 'zeros', shape: [c.columns * zeroBytes], data: zeroPoints, constant: true };
  return { inputs, zeroInput, weights: { shape: [c.depth, c.columns], data: weights } as Tensor };
}

const attributesOf = (c: NBitsCase) => ({ K: int(c.depth), N: int(c.columns), bits: int(c.bits), block_size: int(c.blockSize) });

forEachBackend('ONNX import: MatMulNBits', (backend) => {
  const cases: [string, NBitsCase][] = [
    ['4-bit blocks of 16 with packed zero points', { depth: 64, columns: 5, bits: 4, blockSize: 16, zeroPoints: true }],
    ['4-bit blocks of 32, K not a multiple of the block, zero point 8 by default', { depth: 40, columns: 3, bits: 4, blockSize: 32, zeroPoints: false }],
    ['8-bit blocks of 32 with zero points', { depth: 64, columns: 4, bits: 8, blockSize: 32, zeroPoints: true }],
    ['2-bit blocks of 16 with zero points (three blocks: zero points padded)', { depth: 48, columns: 3, bits: 2, blockSize: 16, zeroPoints: true }],
  ];
  for (const [title, c] of cases) {
    it(title, async () => {
      const a = randomTensor([2, 3, c.depth], 400);
      const bias = randomTensor([c.columns], 401);
      const { inputs, zeroInput, weights } = quantizedWeights(c, 402);
      const nodeInputs: (ContribTensor | '')[] = [
        { name: 'a', shape: a.shape, data: Float32Array.from(a.data) }, ...inputs, c.zeroPoints ? zeroInput : '', '',
        { name: 'bias', shape: bias.shape, data: Float32Array.from(bias.data), constant: true },
      ];
      const { y } = await runModel(backend, contribModel('MatMulNBits', nodeInputs, attributesOf(c)), contribFeeds(nodeInputs));
      const product = matmulRef(a, weights);
      const expected = { shape: product.shape, data: product.data.map((v, i) => v + bias.data[i % c.columns]!) };
      assertClose(y as never, expected, { atol: 1e-5 }, title);
    });
  }

  it('a 2-D A without bias', async () => {
    const c = { depth: 32, columns: 6, bits: 4, blockSize: 16, zeroPoints: true };
    const a = randomTensor([4, c.depth], 403);
    const { inputs, zeroInput, weights } = quantizedWeights(c, 404);
    const nodeInputs = [{ name: 'a', shape: a.shape, data: Float32Array.from(a.data) }, ...inputs, zeroInput];
    const { y } = await runModel(backend, contribModel('MatMulNBits', nodeInputs, attributesOf(c)), contribFeeds(nodeInputs));
    assertClose(y as never, matmulRef(a, weights), { atol: 1e-5 });
  });

  it('float16 activations and scales: the weights dequantized to float16', async () => {
    const c = { depth: 32, columns: 3, bits: 4, blockSize: 16, zeroPoints: true };
    const half = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map(roundToFloat16) });
    const a = half(randomTensor([2, c.depth], 407));
    const { inputs, zeroInput } = quantizedWeights(c, 408);
    const scales = half({ shape: inputs[1]!.shape, data: Array.from(inputs[1]!.data as Float32Array) });
    const { weights } = quantizedWeights(c, 408, scales.data);
    const bits = (name: string, t: Tensor, isConstant: boolean): ContribTensor =>
      ({ name, shape: t.shape, data: Uint16Array.from(t.data, numberToFloat16Bits), elemType: ELEM.float16, constant: isConstant });
    const nodeInputs = [bits('a', a, false), inputs[0]!, bits('scales', scales, true), zeroInput];
    const bytes = contribModel('MatMulNBits', nodeInputs, attributesOf(c), [{ name: 'y', elemType: ELEM.float16 }]);
    const { y } = await runModel(backend, bytes, contribFeeds(nodeInputs));
    // Each weight rounds to float16 before the product, as the dequantized constant does.
    assertClose(y as never, matmulRef(a, half(weights)));
  });

  const refused = (title: string, c: NBitsCase, extra: ContribTensor | null, message: string) => it(title, () => {
    const { inputs, zeroInput } = quantizedWeights({ ...c, bits: c.bits === 3 ? 4 : c.bits }, 405);
    const a: ContribTensor = { name: 'a', shape: [2, c.depth], data: new Float32Array(2 * c.depth) };
    const nodeInputs = [a, ...inputs, zeroInput, ...(extra ? [extra] : [])];
    return assertThrows(() => loadModel(backend, contribModel('MatMulNBits', nodeInputs, attributesOf(c))), 'NotSupportedError',
      `node 'MatMulNBits_0' (com.microsoft.MatMulNBits, opset 1): ${message}`);
  });
  const base = { depth: 32, columns: 2, bits: 4, blockSize: 16, zeroPoints: true };
  refused('3-bit weights are refused', { ...base, bits: 3 }, null, 'bits = 3 is not mapped (2, 4 or 8)');
  refused('g_idx is refused', base, { name: 'g', shape: [32], data: new Int32Array(32), constant: true }, 'g_idx is not mapped');

  it('weights computed at run time are refused', () => {
    const c = base;
    const { inputs } = quantizedWeights(c, 406);
    const nodeInputs = [{ name: 'a', shape: [2, 32], data: new Float32Array(64) }, { ...inputs[0]!, constant: false }, inputs[1]!];
    return assertThrows(() => loadModel(backend, contribModel('MatMulNBits', nodeInputs, attributesOf(c))), 'NotSupportedError',
      "node 'MatMulNBits_0' (com.microsoft.MatMulNBits, opset 1): its quantized weights (input 1) must be a constant, known when the model loads");
  });
});

forEachBackend('ONNX import: GatherBlockQuantized', (backend) => {
  const [rows, width] = [6, 48];
  // Negative ids count from the end of the table.
  const ids = [0, 5, 2, -3, 3, -1];
  const cases: [string, { bits: number; blockSize: number; zeroPoints: boolean }][] = [
    ['4-bit rows, blocks of 16, packed zero points', { bits: 4, blockSize: 16, zeroPoints: true }],
    ['4-bit rows, blocks of 32 (zero point rows padded to whole bytes)', { bits: 4, blockSize: 32, zeroPoints: true }],
    ['4-bit rows, zero point 8 by default', { bits: 4, blockSize: 16, zeroPoints: false }],
    ['8-bit rows with zero points', { bits: 8, blockSize: 16, zeroPoints: true }],
  ];
  for (const [title, c] of cases) {
    it(title, async () => {
      const perByte = 8 / c.bits;
      const blocks = Math.ceil(width / c.blockSize);
      const zeroBytes = Math.ceil(blocks / perByte);
      const packed = randomBytes((rows * width) / perByte, 410);
      const scales = randomTensor([rows, blocks], 411, 0.01, 0.1);
      const zeroPoints = randomBytes(rows * zeroBytes, 412);
      const values = unpack(packed, c.bits);
      const table = values.map((q, i) => {
        const [row, column] = [Math.floor(i / width), i % width];
        const block = Math.floor(column / c.blockSize);
        const zero = c.zeroPoints ? unpack(zeroPoints.subarray(row * zeroBytes, (row + 1) * zeroBytes), c.bits)[block]! : 2 ** (c.bits - 1);
        return (q - zero) * scales.data[row * blocks + block]!;
      });
      const inputs: (ContribTensor | '')[] = [
        { name: 'data', shape: [rows, width / perByte], data: packed, constant: true },
        { name: 'ids', shape: [2, 3], data: BigInt64Array.from(ids, BigInt) },
        { name: 'scales', shape: scales.shape, data: Float32Array.from(scales.data), constant: true },
        c.zeroPoints ? { name: 'zeros', shape: [rows, zeroBytes], data: zeroPoints, constant: true } : '',
      ];
      const bytes = contribModel('GatherBlockQuantized', inputs, { bits: int(c.bits), block_size: int(c.blockSize) });
      const { y } = await runModel(backend, bytes, contribFeeds(inputs));
      assertClose(y as never, { shape: [2, 3, width], data: ids.map((id) => (id < 0 ? id + rows : id)).flatMap((id) => table.slice(id * width, (id + 1) * width)) }, undefined, title);
    });
  }
});
