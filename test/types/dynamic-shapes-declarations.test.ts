/**
 * The TypeScript declarations of the dynamic-shape proposal (src/api/dynamic-shapes-types.ts) held to the proposal's
 * IDL (webmachinelearning/webnn#945, quoted below): the declared methods and dictionaries (Node only: read with the
 * TypeScript compiler), the methods present on MLGraphBuilder.prototype with the IDL's `length` while the proposal is
 * switched on and absent while it is off, and a graph built through the declared types behaving as they say.
 */
import { parse } from 'webidl2';
import { dynamicShapesEnabled, setDynamicShapes } from '../../src/api/proposal.js';
import type {
  MLBoundedDimension, MLDimension, MLGraphBuilderDynamicShapes, MLGraphDynamicShapes, MLInputOperandDescriptor,
  MLNamedShapes, MLOperandDynamicShapes,
} from '../../src/index.js';
import { MLGraph, MLGraphBuilder } from '../../src/index.js';
import { contextFor } from '../util/harness.js';
import { expectedType, type IdlDefinition } from './idl-types.js';
import { loadDeclarations, type Declarations } from './ts-declarations.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** The proposal's IDL as of its newest revision. */
const PROPOSAL_IDL = `
typedef ([EnforceRange] unsigned long or DOMString) MLDimension;
dictionary MLInputOperandDescriptor {
  required MLOperandDataType dataType;
  required sequence<MLDimension> shape;
};
typedef record<USVString, sequence<[EnforceRange] unsigned long>> MLNamedShapes;
partial interface MLGraph {
  MLNamedShapes computeShapes(MLNamedShapes inputShapes);
};
dictionary MLSqueezeOptions : MLOperatorOptions { sequence<[EnforceRange] unsigned long> axes; };
dictionary MLReshapeTo2dOptions : MLOperatorOptions { [EnforceRange] unsigned long axis = 1; };
dictionary MLSliceDynamicOptions : MLOperatorOptions { sequence<[EnforceRange] unsigned long> strides; };
dictionary MLResample2dDynamicOptions : MLOperatorOptions {
  MLInterpolationMode mode = "nearest-neighbor"; sequence<float> scales;
  MLOperand sizes; sequence<[EnforceRange] unsigned long> axes; };
partial interface MLGraphBuilder {
  MLOperand shape(MLOperand input, optional MLOperatorOptions options = {});
  MLOperand range(MLOperand start, MLOperand limit, MLOperand delta, optional MLOperatorOptions options = {});
  MLOperand modulusFloor(MLOperand a, MLOperand b, optional MLOperatorOptions options = {});
  MLOperand modulusTruncate(MLOperand a, MLOperand b, optional MLOperatorOptions options = {});
  MLOperand squeeze(MLOperand input, optional MLSqueezeOptions options = {});
  MLOperand unsqueeze(MLOperand input, sequence<[EnforceRange] unsigned long> axes, optional MLOperatorOptions options = {});
  MLOperand reshapeTo2d(MLOperand input, optional MLReshapeTo2dOptions options = {});
  MLOperand reshapeDynamic(MLOperand input, MLOperand newShape, optional MLOperatorOptions options = {});
  MLOperand expandDynamic(MLOperand input, MLOperand newShape, optional MLOperatorOptions options = {});
  MLOperand sliceDynamic(MLOperand input, MLOperand starts, MLOperand sizes, optional MLSliceDynamicOptions options = {});
  MLOperand padDynamic(MLOperand input, MLOperand beginningPadding, MLOperand endingPadding, optional MLOperatorOptions options = {});
  sequence<MLOperand> splitDynamic(MLOperand input, MLOperand splits, optional MLSplitOptions options = {});
  MLOperand resample2dDynamic(MLOperand input, optional MLResample2dDynamicOptions options = {});
  MLOperand tileDynamic(MLOperand input, MLOperand repetitions, optional MLOperatorOptions options = {});
};
`;

const definitions = parse(PROPOSAL_IDL) as unknown as IdlDefinition[];
const builderOperations = definitions.find((d) => d.type === 'interface' && d.name === 'MLGraphBuilder')!.members!
  .filter((m) => m.type === 'operation');

function fail(problems: string[]): void {
  if (problems.length) throw new Error(`${problems.length} problems:\n  ${problems.join('\n  ')}`);
}

if (isNode) {
  describe('dynamic-shape proposal: TypeScript declarations against its IDL', function () {
    this.timeout(120_000);
    let declarations: Declarations;
    before(() => {
      declarations = loadDeclarations();
    });

    it('declares the 14 MLGraphBuilder operations with their parameters and return types, and input()', () => {
      const declared = declarations.interfaces.get('MLGraphBuilderDynamicShapes')!;
      const problems: string[] = [];
      for (const m of builderOperations) {
        const method = declared.members.get(m.name);
        if (!method?.parameters) {
          problems.push(`${m.name} is not declared`);
          continue;
        }
        const expected = (m.arguments ?? []).map((a) => `${a.name}${a.optional ? '?' : ''}: ${expectedType(a.idlType, true)}`);
        const actual = method.parameters.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.type}`);
        if (actual.join(', ') !== expected.join(', ')) problems.push(`${m.name}(${actual.join(', ')}), IDL (${expected.join(', ')})`);
        const returns = expectedType(m.idlType, false);
        if (method.type !== returns) problems.push(`${m.name} returns ${method.type}, IDL ${returns}`);
      }
      if (builderOperations.length !== 14) problems.push(`the IDL has ${builderOperations.length} operations; 14 expected`);
      const input = declared.members.get('input');
      const inputParameters = input?.parameters?.map((p) => `${p.name}: ${p.type}`).join(', ');
      if (inputParameters !== 'name: string, descriptor: MLInputOperandDescriptor') problems.push(`input(${inputParameters})`);
      if (declared.members.size !== 15) problems.push(`${declared.members.size} members, 14 operations and input() expected`);
      fail(problems);
    });

    it('declares the option dictionaries with the IDL\'s members', () => {
      const problems: string[] = [];
      for (const d of definitions.filter((x) => x.type === 'dictionary' && x.name !== 'MLInputOperandDescriptor')) {
        const declared = declarations.interfaces.get(d.name);
        if (!declared) {
          problems.push(`${d.name} is not exported`);
          continue;
        }
        if (declared.heritage.join() !== (d.inheritance ?? '')) problems.push(`${d.name} extends [${declared.heritage}]`);
        for (const m of d.members ?? []) {
          const member = declared.members.get(m.name);
          const type = expectedType(m.idlType, true);
          if (!member) problems.push(`${d.name}.${m.name} is not declared`);
          else if (!member.optional || member.type !== type) problems.push(`${d.name}.${m.name}: ${member.type}, IDL ${type} (optional)`);
        }
        if (declared.members.size !== (d.members ?? []).length) problems.push(`${d.name} has members beyond the IDL`);
      }
      fail(problems);
    });

    it('declares MLDimension, MLInputOperandDescriptor (with bounded dimensions), computeShapes and MLOperand.shape', () => {
      const problems: string[] = [];
      if (declarations.aliases.get('MLDimension') !== 'number | string') problems.push(`MLDimension = ${declarations.aliases.get('MLDimension')}`);
      const descriptor = declarations.interfaces.get('MLInputOperandDescriptor')!;
      if (descriptor.members.get('dataType')?.type !== 'MLOperandDataType' || descriptor.members.get('dataType')?.optional) {
        problems.push('MLInputOperandDescriptor.dataType');
      }
      const shape = descriptor.members.get('shape');
      if (shape?.type !== 'readonly (MLDimension | MLBoundedDimension)[]' || shape.optional) problems.push(`MLInputOperandDescriptor.shape: ${shape?.type}`);
      const bounded = declarations.interfaces.get('MLBoundedDimension')!;
      const boundedMembers = [...bounded.members].map(([name, m]) => `${name}${m.optional ? '?' : ''}: ${m.type}`).join('; ');
      if (boundedMembers !== 'name: string; maxSize: number; minSize?: number') problems.push(`MLBoundedDimension { ${boundedMembers} }`);
      const computeShapes = declarations.interfaces.get('MLGraphDynamicShapes')!.members.get('computeShapes');
      const signature = computeShapes?.parameters?.map((p) => `${p.name}: ${p.type}`).join(', ');
      if (signature !== 'inputShapes: MLNamedShapes' || computeShapes?.type !== 'MLNamedShapes') problems.push(`computeShapes(${signature})`);
      const operandShape = declarations.interfaces.get('MLOperandDynamicShapes')!.members.get('shape');
      if (operandShape?.type !== 'readonly MLDimension[] | null') problems.push(`MLOperand.shape: ${operandShape?.type}`);
      fail(problems);
    });
  });
}

describe('dynamic-shape proposal: the declared members at run time', () => {
  let wasEnabled = false;
  before(() => {
    wasEnabled = dynamicShapesEnabled();
  });
  after(() => setDynamicShapes(wasEnabled));

  it('switched on: every operation on MLGraphBuilder.prototype with the IDL\'s length, computeShapes on MLGraph.prototype', () => {
    setDynamicShapes(true);
    const problems: string[] = [];
    const prototype = MLGraphBuilder.prototype as unknown as Record<string, unknown>;
    for (const m of builderOperations) {
      const method = prototype[m.name];
      const length = (m.arguments ?? []).filter((a) => !a.optional).length;
      if (typeof method !== 'function') problems.push(`${m.name} is missing`);
      else if (method.length !== length) problems.push(`${m.name}.length is ${method.length}, IDL ${length}`);
    }
    const computeShapes = (MLGraph.prototype as unknown as Record<string, unknown>)['computeShapes'];
    if (typeof computeShapes !== 'function' || computeShapes.length !== 1) problems.push('MLGraph.prototype.computeShapes');
    fail(problems);
  });

  it('switched off: none of them', () => {
    setDynamicShapes(false);
    const present = builderOperations.map((m) => m.name).filter((name) => name in MLGraphBuilder.prototype);
    if ('computeShapes' in MLGraph.prototype) present.push('computeShapes');
    fail(present.map((name) => `${name} is present`));
  });

  it('a graph built through the declared types: named and bounded dimensions, shape(), computeShapes()', async () => {
    setDynamicShapes(true);
    const context = await contextFor('cpu');
    const builder = new MLGraphBuilder(context) as MLGraphBuilder & MLGraphBuilderDynamicShapes;
    const sequence: MLBoundedDimension = { name: 'sequence', maxSize: 64 };
    const dims: MLDimension[] = ['batch', 4];
    const descriptor: MLInputOperandDescriptor = { dataType: 'float32', shape: [dims[0]!, sequence, dims[1]!] };
    const x = builder.input('x', descriptor);
    const eight = builder.constant({ dataType: 'uint32', shape: [1] }, new Uint32Array([8]));
    const length = builder.gather(builder.shape(x), builder.constant({ dataType: 'uint32', shape: [1] }, new Uint32Array([1])));
    const pad = builder.modulusFloor(builder.sub(eight, builder.modulusFloor(length, eight)), eight);
    const zero = builder.constant({ dataType: 'uint32', shape: [1] }, new Uint32Array([0]));
    const padded = builder.padDynamic(x, builder.concat([zero, zero, zero], 0), builder.concat([zero, pad, zero], 0));
    const shapeOf = (operand: unknown) => (operand as MLOperandDynamicShapes).shape;
    const problems: string[] = [];
    if (JSON.stringify(shapeOf(x)) !== '["batch","sequence",4]') problems.push(`x.shape ${JSON.stringify(shapeOf(x))}`);
    const paddedShape = shapeOf(padded);
    if (paddedShape === null || paddedShape[0] !== 'batch' || typeof paddedShape[1] !== 'string' || paddedShape[2] !== 4) {
      problems.push(`padded.shape ${JSON.stringify(paddedShape)}`);
    }
    if (JSON.stringify(shapeOf(builder.squeeze(x))) !== 'null') problems.push('squeeze without axes is not unranked');
    const graph = await builder.build({ padded }) as MLGraph & MLGraphDynamicShapes;
    for (const [n, expected] of [[5, 8], [13, 16], [16, 16]] as const) {
      const shapes: MLNamedShapes = graph.computeShapes({ x: [2, n, 4] });
      if (JSON.stringify(shapes) !== JSON.stringify({ padded: [2, expected, 4] })) problems.push(`sequence ${n}: ${JSON.stringify(shapes)}`);
    }
    let bound: unknown = null;
    try {
      graph.computeShapes({ x: [2, 65, 4] });
    } catch (error) {
      bound = error;
    }
    if (!(bound instanceof TypeError)) problems.push('a size beyond maxSize is not a TypeError');
    graph.destroy();
    fail(problems);
  });
});
