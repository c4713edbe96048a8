/**
 * Holds the installed API to idl/webnn.idl: every interface is a global interface object with the WebIDL shape, and
 * every operation and attribute of the IDL (partial interfaces and mixins included) is on its prototype with the right
 * kind and `length`. The deliberate omissions, and the members beyond the IDL, come from src/omissions.ts and nothing
 * else.
 */
import { parse, type IdlArgument, type IdlDefinition } from 'webidl2';
import { installNow } from '../../src/index.js';
import { ADDITIONS, OMISSIONS } from '../../src/omissions.js';
import { dynamicShapesEnabled } from '../../src/api/proposal.js';
import { allOps } from '../../src/ops/registry.js';

/** Members of the dynamic-shape proposal, present only while it is switched on (then not in the IDL). */
function proposalMembers(interfaceName: string): Set<string> {
  if (!dynamicShapesEnabled()) return new Set();
  if (interfaceName === 'MLGraph') return new Set(['computeShapes']);
  if (interfaceName === 'MLGraphBuilder') return new Set(allOps().filter((op) => op.proposal).map((op) => op.name));
  return new Set();
}
import { webnnIdlText } from './webnn-idl.js';

interface MemberModel {
  kind: 'operation' | 'attribute';
  /** Required-argument count of each overload. */
  overloadLengths: number[];
  readonly: boolean;
  isStatic: boolean;
}

interface InterfaceModel {
  name: string;
  inheritance: string | null;
  /** Required-argument counts of the constructor's overloads; empty when the interface has no constructor. */
  constructorLengths: number[];
  members: Map<string, MemberModel>;
}

interface IdlModel {
  interfaces: Map<string, InterfaceModel>;
  /** Mixin name -> its members, and which interfaces include it. */
  mixins: Map<string, { members: Map<string, MemberModel>; includedBy: string[] }>;
}

const requiredCount = (args: readonly IdlArgument[]): number => args.filter((a) => !a.optional && !a.variadic).length;

function addMembers(target: Map<string, MemberModel>, definition: IdlDefinition, constructors: number[] | null): void {
  for (const m of definition.members ?? []) {
    if (m.type === 'constructor') {
      constructors?.push(requiredCount(m.arguments ?? []));
      continue;
    }
    if ((m.type !== 'operation' && m.type !== 'attribute') || !m.name) continue;
    const kind = m.type;
    const existing = target.get(m.name);
    if (existing) {
      if (existing.kind !== kind) throw new Error(`IDL: ${definition.name}.${m.name} is both an operation and an attribute`);
      existing.overloadLengths.push(requiredCount(m.arguments ?? []));
      continue;
    }
    target.set(m.name, {
      kind,
      overloadLengths: kind === 'operation' ? [requiredCount(m.arguments ?? [])] : [],
      readonly: m.readonly === true,
      isStatic: m.special === 'static',
    });
  }
}

function buildModel(text: string): IdlModel {
  const interfaces = new Map<string, InterfaceModel>();
  const mixins = new Map<string, { members: Map<string, MemberModel>; includedBy: string[] }>();
  const definitions = parse(text);
  const interfaceOf = (name: string): InterfaceModel => {
    let model = interfaces.get(name);
    if (!model) {
      model = { name, inheritance: null, constructorLengths: [], members: new Map() };
      interfaces.set(name, model);
    }
    return model;
  };
  const mixinOf = (name: string) => {
    let mixin = mixins.get(name);
    if (!mixin) {
      mixin = { members: new Map(), includedBy: [] };
      mixins.set(name, mixin);
    }
    return mixin;
  };
  for (const d of definitions) {
    if (d.type === 'interface' && d.name) {
      const model = interfaceOf(d.name);
      if (!d.partial && d.inheritance) model.inheritance = d.inheritance;
      addMembers(model.members, d, model.constructorLengths);
    } else if (d.type === 'interface mixin' && d.name) {
      addMembers(mixinOf(d.name).members, d, null);
    } else if (d.type === 'includes' && d.target && d.includes) {
      mixinOf(d.includes).includedBy.push(d.target);
    }
  }
  return { interfaces, mixins };
}

const model = buildModel(webnnIdlText);
installNow();

const g = globalThis as unknown as Record<string, unknown>;
const absentMembers = new Set(OMISSIONS.filter((o) => o.kind === 'absent').map((o) => `${o.interface}.${o.member}`));

/** What is wrong with `name` on `proto` against the IDL member, or null when it matches. */
function memberMismatch(proto: object, name: string, member: MemberModel): string | null {
  const d = Object.getOwnPropertyDescriptor(proto, name);
  if (!d) return 'missing';
  if (member.kind === 'operation') {
    if (typeof d.value !== 'function') return 'is not a method (an IDL operation must be a data property holding a function)';
    const expectedLength = Math.min(...member.overloadLengths);
    const problems: string[] = [];
    if (d.value.length !== expectedLength) problems.push(`length ${d.value.length}, IDL requires ${expectedLength}`);
    if (d.value.name !== name) problems.push(`function name '${d.value.name}'`);
    if (!d.writable || !d.enumerable || !d.configurable) {
      problems.push(`property is ${d.writable ? '' : 'not '}writable, ${d.enumerable ? '' : 'not '}enumerable, ` +
        `${d.configurable ? '' : 'not '}configurable`);
    }
    return problems.length ? problems.join('; ') : null;
  }
  if (typeof d.get !== 'function') return 'is not an accessor (an IDL attribute must have a getter)';
  const problems: string[] = [];
  if (member.readonly && d.set !== undefined) problems.push('has a setter but the attribute is readonly');
  if (!member.readonly && typeof d.set !== 'function') problems.push('has no setter');
  if (d.get.length !== 0) problems.push(`getter length ${d.get.length}`);
  if (d.get.name !== `get ${name}`) problems.push(`getter name '${d.get.name}'`);
  if (!d.enumerable || !d.configurable) problems.push('accessor must be enumerable and configurable');
  return problems.length ? problems.join('; ') : null;
}

describe('IDL surface (idl/webnn.idl)', () => {
  before(() => {
    const omitted = OMISSIONS.map((o) => `\n  ${o.interface}.${o.signature ?? o.member} [${o.kind}]: ${o.behaviour} (${o.reason})`);
    const added = ADDITIONS.map((a) => `\n  ${a.interface}.${a.member} (${a.source})`);
    console.warn(`Deliberate omissions (src/omissions.ts):${omitted.join('') || ' none'}\nMembers beyond the IDL:${added.join('') || ' none'}`);
  });

  it('every addition is a readonly attribute of an IDL interface the IDL does not give it', () => {
    for (const a of ADDITIONS) {
      const iface = model.interfaces.get(a.interface);
      if (!iface) throw new Error(`src/omissions.ts adds to ${a.interface}, which the IDL does not have`);
      if (iface.members.has(a.member)) throw new Error(`${a.interface}.${a.member} is in the IDL now: drop it from ADDITIONS`);
      const proto = (g[a.interface] as { prototype: object }).prototype;
      const problem = memberMismatch(proto, a.member, { kind: 'attribute', overloadLengths: [], readonly: true, isStatic: false });
      if (problem) throw new Error(`${a.interface}.${a.member}: ${problem}`);
    }
  });

  it('every omission names a member of the IDL', () => {
    for (const o of OMISSIONS) {
      const member = model.interfaces.get(o.interface)?.members.get(o.member);
      if (!member) throw new Error(`src/omissions.ts lists ${o.interface}.${o.member}, which the IDL does not have`);
      if (o.signature !== undefined && member.overloadLengths.length < 2) {
        throw new Error(`${o.interface}.${o.member} has no overloads, yet one overload is listed as omitted`);
      }
    }
  });

  for (const iface of model.interfaces.values()) {
    describe(iface.name, () => {
      it('is a global interface object with the WebIDL shape', () => {
        const d = Object.getOwnPropertyDescriptor(globalThis, iface.name);
        if (!d) throw new Error(`globalThis.${iface.name} is missing`);
        if (!d.writable || d.enumerable || !d.configurable) {
          throw new Error(`globalThis.${iface.name} must be writable, non-enumerable, configurable`);
        }
        if (typeof d.value !== 'function') throw new Error(`globalThis.${iface.name} is not a function`);
        const ctor = d.value as { prototype: object; name: string; length: number };
        if (ctor.name !== iface.name) throw new Error(`name is '${ctor.name}'`);
        const expectedLength = iface.constructorLengths.length ? Math.min(...iface.constructorLengths) : 0;
        if (ctor.length !== expectedLength) throw new Error(`length is ${ctor.length}, IDL requires ${expectedLength}`);
        const parent = iface.inheritance ? g[iface.inheritance] as { prototype: object } : null;
        if (Object.getPrototypeOf(ctor) !== (parent ?? Function.prototype)) throw new Error('wrong [[Prototype]] of the interface object');
        const protoD = Object.getOwnPropertyDescriptor(ctor, 'prototype');
        if (!protoD || protoD.writable || protoD.enumerable || protoD.configurable) {
          throw new Error('the prototype property must be non-writable, non-enumerable, non-configurable');
        }
        if (Object.getPrototypeOf(ctor.prototype) !== (parent ? parent.prototype : Object.prototype)) {
          throw new Error('wrong [[Prototype]] of the interface prototype object');
        }
        const c = Object.getOwnPropertyDescriptor(ctor.prototype, 'constructor');
        if (c?.value !== ctor || c.enumerable) throw new Error('prototype.constructor must be the interface, non-enumerable');
        const tag = Object.getOwnPropertyDescriptor(ctor.prototype, Symbol.toStringTag);
        if (tag?.value !== iface.name || tag.writable || tag.enumerable || !tag.configurable) {
          throw new Error(`@@toStringTag must be '${iface.name}', read-only, non-enumerable, configurable`);
        }
      });

      if (iface.constructorLengths.length === 0) {
        it('has no constructor: new throws a TypeError', () => {
          const ctor = g[iface.name] as new (...args: unknown[]) => unknown;
          for (const args of [[], [{}], [undefined, undefined]]) {
            let error: unknown;
            try {
              new ctor(...args);
            } catch (e) {
              error = e;
            }
            if (!(error instanceof TypeError)) throw new Error(`new ${iface.name}(${args.length} args) did not throw a TypeError`);
          }
        });
      } else {
        it('has a constructor that needs new and its required arguments', () => {
          const ctor = g[iface.name] as (...args: unknown[]) => unknown;
          let error: unknown;
          try {
            ctor();
          } catch (e) {
            error = e;
          }
          if (!(error instanceof TypeError)) throw new Error(`${iface.name}() without new did not throw a TypeError`);
          if (Math.min(...iface.constructorLengths) > 0) {
            error = undefined;
            try {
              new (ctor as unknown as new () => unknown)();
            } catch (e) {
              error = e;
            }
            if (!(error instanceof TypeError)) throw new Error(`new ${iface.name}() without arguments did not throw a TypeError`);
          }
        });
      }

      it('has every operation and attribute of the IDL', () => {
        const proto = (g[iface.name] as { prototype: object } | undefined)?.prototype ?? {};
        const missing = [...iface.members.entries()]
          .filter(([name, m]) => !m.isStatic && !absentMembers.has(`${iface.name}.${name}`) &&
            !Object.getOwnPropertyDescriptor(proto, name))
          .map(([name]) => name);
        if (missing.length) {
          throw new Error(`${missing.length} IDL member${missing.length === 1 ? '' : 's'} missing from ${iface.name}.prototype: ` +
            missing.join(', '));
        }
      });

      it('members present have the IDL kind, length and property attributes', () => {
        const proto = (g[iface.name] as { prototype: object } | undefined)?.prototype ?? {};
        const problems: string[] = [];
        for (const [name, member] of iface.members) {
          if (member.isStatic || !Object.getOwnPropertyDescriptor(proto, name)) continue;
          const problem = memberMismatch(proto, name, member);
          if (problem) problems.push(`${iface.name}.${name}: ${problem}`);
        }
        if (problems.length) throw new Error(problems.join('\n'));
      });

      it('members listed as absent are absent, not half there', () => {
        const proto = (g[iface.name] as { prototype: object } | undefined)?.prototype ?? {};
        for (const o of OMISSIONS.filter((x) => x.interface === iface.name && x.kind === 'absent')) {
          if (o.member in proto) throw new Error(`${iface.name}.${o.member} is listed as absent in src/omissions.ts but is defined`);
        }
      });

      it('has no members beyond the IDL', () => {
        const proto = (g[iface.name] as { prototype: object } | undefined)?.prototype ?? {};
        const proposal = proposalMembers(iface.name);
        const added = new Set(ADDITIONS.filter((a) => a.interface === iface.name).map((a) => a.member));
        const extra = Object.getOwnPropertyNames(proto)
          .filter((name) => name !== 'constructor' && !iface.members.has(name) && !proposal.has(name) && !added.has(name));
        if (extra.length) throw new Error(`${iface.name}.prototype has members the IDL does not define: ${extra.join(', ')}`);
      });
    });
  }

  describe('mixins', () => {
    for (const [mixinName, mixin] of model.mixins) {
      it(`${mixinName} members are on navigator (${mixin.includedBy.join(', ')})`, () => {
        const nav = (globalThis as { navigator?: object }).navigator;
        if (!nav) throw new Error('no navigator');
        // Navigator (or WorkerNavigator) where the global has it; Node before 21 has a plain navigator object.
        const includer = mixin.includedBy.map((name) => g[name])
          .find((c): c is { prototype: object } => typeof c === 'function' && nav instanceof (c as new () => object));
        const holder = includer ? includer.prototype : nav;
        const problems: string[] = [];
        for (const [name, member] of mixin.members) {
          const problem = memberMismatch(holder, name, member);
          if (problem) problems.push(`${includer ? 'prototype of navigator' : 'navigator'}.${name}: ${problem}`);
        }
        if (problems.length) throw new Error(problems.join('\n'));
      });
    }
  });

  // Contexts made from a GPUDevice share tensors with WebGPU (test/browser/webgpu-export.browser.test.ts); the others
  // cannot, and say so.
  describe('WebGPU interop members reject what a context cannot do', () => {
    type Ctx = {
      createTensor(d: object): Promise<object>;
      createExportableTensor(d: object, device: object): Promise<object>;
      exportToGPU(t: object): unknown;
      destroy(): void;
    };
    const ml = () => (globalThis as unknown as { navigator: { ml: { createContext(o: object): Promise<Ctx> } } }).navigator.ml;
    const settle = async (fn: () => unknown): Promise<unknown> => {
      try {
        await fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const expectError = (error: unknown, name: string) => {
      if (!(error instanceof Error || error instanceof DOMException) || error.name !== name) {
        throw new Error(`expected a ${name}, got ${error === undefined ? 'success' : String(error)}`);
      }
    };
    const desc = { dataType: 'float32', shape: [2] };

    it('MLContext.exportToGPU(a tensor not made by createExportableTensor()) throws a TypeError', async () => {
      const ctx = await ml().createContext({ tfjsBackend: 'cpu' });
      const tensor = await ctx.createTensor(desc);
      expectError(await settle(() => ctx.exportToGPU(tensor)), 'TypeError');
      ctx.destroy();
    });

    it('MLContext.createExportableTensor(descriptor, non-GPUDevice) rejects with a TypeError', async () => {
      const ctx = await ml().createContext({ tfjsBackend: 'cpu' });
      expectError(await settle(() => ctx.createExportableTensor(desc, {})), 'TypeError');
      ctx.destroy();
    });

    const GPUDeviceClass = (globalThis as { GPUDevice?: new () => object }).GPUDevice;
    if (typeof GPUDeviceClass === 'function') {
      // No adapter in a headless run; an object with GPUDevice.prototype is what the overload resolution looks at.
      const device = () => Object.create(GPUDeviceClass.prototype) as object;

      // Not a device the polyfill can use (no real device behind it; in Node, and in the full entry, no webgpu backend).
      it('ML.createContext(GPUDevice) rejects with a NotSupportedError', async () => {
        expectError(await settle(() => ml().createContext(device())), 'NotSupportedError');
      });

      it('MLContext.createExportableTensor(descriptor, GPUDevice) on a context not made from it rejects with a NotSupportedError', async () => {
        const ctx = await ml().createContext({ tfjsBackend: 'cpu' });
        expectError(await settle(() => ctx.createExportableTensor(desc, device())), 'NotSupportedError');
        ctx.destroy();
      });
    }
  });

  it('navigator.ml is the one ML object', () => {
    const nav = (globalThis as unknown as { navigator: { ml: unknown } }).navigator;
    const ML = g['ML'] as new () => unknown;
    if (!(nav.ml instanceof ML)) throw new Error('navigator.ml is not an ML');
    if (nav.ml !== nav.ml) throw new Error('navigator.ml is not [SameObject]');
    if (Object.prototype.toString.call(nav.ml) !== '[object ML]') throw new Error('navigator.ml does not stringify as [object ML]');
  });
});
