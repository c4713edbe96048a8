/**
 * MLContext.opSupportLimits() against the IDL: the top-level members, and for every operation on the builder a member
 * named like the method whose members are exactly those of its *SupportLimits dictionary, each an MLTensorLimits.
 */
import { parse } from 'webidl2';
import { forEachBackend } from '../util/harness.js';
import type { MLContext, MLTensorLimits } from '../../src/index.js';
import { newBuilder, newContext } from './api-util.js';
import { webnnIdlText } from './webnn-idl.js';
import { dynamicShapesEnabled } from '../../src/api/proposal.js';
import { allOps } from '../../src/ops/registry.js';

const ALL_TYPES = ['float32', 'float16', 'int32', 'uint32', 'int64', 'uint64', 'int8', 'uint8'];
/** Required by the spec for graph inputs, constants and outputs (every op requires float32, float16, int32, int8 or uint8). */
const REQUIRED_IO_TYPES = ['float32', 'float16', 'int32', 'int8', 'uint8'];

interface IdlDictionaries {
  /** Dictionary name -> member names (inherited members included). */
  members: Map<string, string[]>;
  /** MLOpSupportLimits member (an operation) -> the name of its dictionary. */
  operations: Map<string, string>;
}

function idlDictionaries(): IdlDictionaries {
  const members = new Map<string, string[]>();
  const operations = new Map<string, string>();
  for (const d of parse(webnnIdlText)) {
    if (d.type !== 'dictionary' || !d.name) continue;
    if (d.name === 'MLOpSupportLimits' && d.partial) {
      for (const m of d.members ?? []) {
        operations.set(m.name!, (m as unknown as { idlType: { idlType: string } }).idlType.idlType);
      }
      continue;
    }
    if (!d.partial) members.set(d.name, (d.members ?? []).map((m) => m.name!));
  }
  return { members, operations };
}

function checkTensorLimits(where: string, l: MLTensorLimits | undefined): void {
  if (!l || typeof l !== 'object') throw new Error(`${where} is missing`);
  if (Object.keys(l).sort().join() !== 'dataTypes,rankRange') throw new Error(`${where} has members ${Object.keys(l)}`);
  if (!Array.isArray(l.dataTypes)) throw new Error(`${where}.dataTypes is not a sequence`);
  for (const t of l.dataTypes) if (!ALL_TYPES.includes(t)) throw new Error(`${where}.dataTypes has ${t}`);
  if (new Set(l.dataTypes).size !== l.dataTypes.length) throw new Error(`${where}.dataTypes repeats a type`);
  const { min, max } = l.rankRange;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
    throw new Error(`${where}.rankRange {${min}, ${max}} is not a range`);
  }
}

forEachBackend('MLContext.opSupportLimits', (backend) => {
  let ctx: MLContext;
  const idl = idlDictionaries();
  before(async () => {
    ctx = await newContext(backend);
  });

  it('has the top-level members of MLOpSupportLimits', () => {
    const limits = ctx.opSupportLimits();
    if (!['nchw', 'nhwc'].includes(limits.preferredInputLayout)) throw new Error(`preferredInputLayout ${limits.preferredInputLayout}`);
    if (!Number.isInteger(limits.maxTensorByteLength) || limits.maxTensorByteLength < 2 ** 20) {
      throw new Error(`maxTensorByteLength ${limits.maxTensorByteLength}`);
    }
    for (const member of ['input', 'constant', 'output'] as const) {
      checkTensorLimits(member, limits[member]);
      for (const t of REQUIRED_IO_TYPES) {
        if (!limits[member].dataTypes.includes(t as 'int8')) throw new Error(`${member} lacks ${t}`);
      }
      if (limits[member].rankRange.min !== 0 || limits[member].rankRange.max < 4) throw new Error(`${member} ranks`);
    }
  });

  it('has a member for every operation of the builder, with exactly the members of its IDL dictionary', () => {
    const limits = ctx.opSupportLimits() as unknown as Record<string, Record<string, MLTensorLimits>>;
    const proto = Object.getPrototypeOf(newBuilder(ctx)) as Record<string, unknown>;
    const problems: string[] = [];
    for (const [op, dictionary] of idl.operations) {
      const implemented = typeof proto[op] === 'function';
      const member = limits[op];
      if (!implemented) {
        if (member !== undefined) problems.push(`${op} is reported but is not a builder method`);
        continue;
      }
      if (member === undefined) {
        problems.push(`${op} is a builder method but has no member`);
        continue;
      }
      const expected = [...idl.members.get(dictionary)!].sort().join();
      const actual = Object.keys(member).sort().join();
      if (actual !== expected) problems.push(`${op} (${dictionary}) has {${actual}}, the IDL {${expected}}`);
      for (const [name, l] of Object.entries(member)) {
        try {
          checkTensorLimits(`${op}.${name}`, l);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
    }
    // The dynamic-shape proposal's operations are reported while it is switched on (its IDL is not in webnn.idl).
    const proposal = dynamicShapesEnabled() ? allOps().filter((op) => op.proposal).map((op) => op.name) : [];
    const known = new Set(['preferredInputLayout', 'maxTensorByteLength', 'input', 'constant', 'output', ...idl.operations.keys(),
      ...proposal]);
    for (const key of Object.keys(limits)) if (!known.has(key)) problems.push(`${key} is not a member of MLOpSupportLimits`);
    if (problems.length) throw new Error(`${problems.length} problems:\n  ${problems.join('\n  ')}`);
  });

  it('reports the element-wise binary operations with the spec\'s required types', () => {
    const limits = ctx.opSupportLimits();
    const required = ['float32', 'float16', 'int32'];
    for (const op of ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'] as const) {
      const l = limits[op];
      if (!l) throw new Error(`${op} missing`);
      for (const t of required) if (!l.a.dataTypes.includes(t as 'int32')) throw new Error(`${op}.a lacks ${t}`);
    }
  });
});
