/**
 * The TypeScript declarations the package exports, held to idl/webnn.idl (Node only: it reads them with the
 * TypeScript compiler): every MLGraphBuilder operation with its parameters, every dictionary with its members, every
 * enum, and one optional MLOpSupportLimits member per operation.
 */
import { parse } from 'webidl2';
import { webnnIdlText } from '../api/webnn-idl.js';
import { expectedType, type IdlDefinition } from './idl-types.js';
import { loadDeclarations, type Declarations, type DeclaredInterface } from './ts-declarations.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Dictionaries the API returns (filled in completely) rather than takes: their members are declared required. */
const RETURNED = (name: string) => name === 'MLContextLostInfo' || name === 'MLTensorLimits' || name === 'MLRankRange' ||
  name.endsWith('SupportLimits');

/** Members declared beyond the IDL, on purpose (documented where declared). */
const EXTRA_MEMBERS: Record<string, string[]> = {
  MLOperandDescriptor: ['dimensions'],
  MLContextOptions: ['deviceType', 'tfjsBackend'],
};

function checkDictionary(problems: string[], d: IdlDefinition, declared: DeclaredInterface | undefined): void {
  if (!declared) {
    problems.push(`dictionary ${d.name} is not exported`);
    return;
  }
  const heritage = d.inheritance ? [d.inheritance] : [];
  if (declared.heritage.join() !== heritage.join()) problems.push(`${d.name} extends [${declared.heritage}], IDL [${heritage}]`);
  const returned = RETURNED(d.name);
  for (const m of d.members ?? []) {
    const member = declared.members.get(m.name);
    if (!member) {
      problems.push(`${d.name}.${m.name} is not declared`);
      continue;
    }
    const optional = !m.required && !returned;
    if (member.optional !== optional) problems.push(`${d.name}.${m.name} is ${member.optional ? '' : 'not '}optional`);
    const type = expectedType(m.idlType, !returned);
    if (member.type !== type) problems.push(`${d.name}.${m.name}: ${member.type}, IDL ${type}`);
  }
  const idlNames = new Set((d.members ?? []).map((m) => m.name));
  for (const name of declared.members.keys()) {
    if (!idlNames.has(name) && !(EXTRA_MEMBERS[d.name] ?? []).includes(name)) problems.push(`${d.name}.${name} is not in the IDL`);
  }
}

if (isNode) {
  describe('TypeScript declarations against the IDL', function () {
    this.timeout(120_000);
    const idl = parse(webnnIdlText) as unknown as IdlDefinition[];
    let declarations: Declarations;
    before(() => {
      declarations = loadDeclarations();
    });

    it('declares every MLGraphBuilder operation with the IDL\'s parameters and return type', () => {
      const methods = declarations.interfaces.get('MLGraphBuilderMethods')!;
      const builder = declarations.interfaces.get('MLGraphBuilder')!;
      if (!builder.heritage.includes('MLGraphBuilderMethods')) throw new Error('MLGraphBuilder does not extend MLGraphBuilderMethods');
      const problems: string[] = [];
      let count = 0;
      for (const d of idl) {
        if (d.type !== 'interface' || d.name !== 'MLGraphBuilder' || !d.partial) continue;
        for (const m of d.members ?? []) {
          if (m.type !== 'operation') continue;
          count++;
          const declared = methods.members.get(m.name);
          if (!declared?.parameters) {
            problems.push(`${m.name} is not declared`);
            continue;
          }
          const expected = (m.arguments ?? []).map((a) => `${a.name}${a.optional ? '?' : ''}: ${expectedType(a.idlType, true)}`);
          const actual = declared.parameters.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.type}`);
          if (actual.join(', ') !== expected.join(', ')) problems.push(`${m.name}(${actual.join(', ')}), IDL (${expected.join(', ')})`);
          const returns = expectedType(m.idlType, false);
          if (declared.type !== returns) problems.push(`${m.name} returns ${declared.type}, IDL ${returns}`);
        }
      }
      if (count !== 95) problems.push(`the IDL has ${count} operations; 95 expected`);
      if (methods.members.size !== count) problems.push(`${methods.members.size} methods declared for ${count} operations`);
      if (problems.length) throw new Error(`${problems.length} problems:\n  ${problems.join('\n  ')}`);
    });

    it('declares every dictionary with the IDL\'s members, and every enum', () => {
      const problems: string[] = [];
      for (const d of idl) {
        if (d.type === 'dictionary' && !d.partial && d.name !== 'MLOpSupportLimits') {
          checkDictionary(problems, d, declarations.interfaces.get(d.name));
        } else if (d.type === 'enum') {
          const declared = declarations.aliases.get(d.name);
          const expected = (d.values ?? []).map((v) => `'${v.value}'`).join(' | ');
          if (declared !== expected) problems.push(`enum ${d.name}: ${declared}, IDL ${expected}`);
        }
      }
      if (declarations.aliases.get('MLNumber') !== 'number | bigint') problems.push('MLNumber');
      if (problems.length) throw new Error(`${problems.length} problems:\n  ${problems.join('\n  ')}`);
    });

    it('declares MLOpSupportLimits: the top-level members, and one optional member per operation', () => {
      const problems: string[] = [];
      const limits = declarations.interfaces.get('MLOpSupportLimits')!;
      const byOperation = declarations.interfaces.get('MLOpSupportLimitsByOperation')!;
      for (const d of idl) {
        if (d.type !== 'dictionary' || d.name !== 'MLOpSupportLimits') continue;
        const target = d.partial ? byOperation : limits;
        for (const m of d.members ?? []) {
          const member = target.members.get(m.name);
          const type = expectedType(m.idlType, false);
          if (!member) problems.push(`MLOpSupportLimits.${m.name} is not declared`);
          else if (member.type !== type || member.optional !== !!d.partial) {
            problems.push(`MLOpSupportLimits.${m.name}: ${member.type}${member.optional ? ' (optional)' : ''}, IDL ${type}`);
          }
        }
      }
      if (!limits.heritage.includes('MLOpSupportLimitsByOperation')) problems.push('MLOpSupportLimits lacks the operations');
      if (byOperation.members.size !== 95) problems.push(`${byOperation.members.size} operation members, 95 expected`);
      if (problems.length) throw new Error(`${problems.length} problems:\n  ${problems.join('\n  ')}`);
    });
  });
}
