/**
 * Node-only: the declarations the package exports (src/index.ts), read with the TypeScript compiler API as plain data.
 * The browser bundle uses ts-declarations.browser.ts instead.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';

export interface DeclaredMember {
  optional: boolean;
  /** The type as written (properties), or the return type (methods). */
  type: string;
  /** Parameters of a method, null for a property. */
  parameters: { name: string; optional: boolean; type: string }[] | null;
}

export interface DeclaredInterface {
  heritage: string[];
  members: Map<string, DeclaredMember>;
}

export interface Declarations {
  interfaces: Map<string, DeclaredInterface>;
  /** Type aliases: name -> the type as written. */
  aliases: Map<string, string>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadDeclarations(): Declarations {
  const ts = createRequire(import.meta.url)('typescript') as typeof TS;
  const entry = join(root, 'src', 'index.ts');
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true, noEmit: true, skipLibCheck: true, types: [],
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const interfaces = new Map<string, DeclaredInterface>();
  const aliases = new Map<string, string>();
  const text = (node: TS.Node | undefined) => (node ? node.getText().replace(/\s+/g, ' ') : 'unknown');
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const d of symbol.declarations ?? []) {
      if (ts.isTypeAliasDeclaration(d)) aliases.set(exported.name, text(d.type));
      if (!ts.isInterfaceDeclaration(d)) continue;
      const members = new Map<string, DeclaredMember>();
      for (const m of d.members) {
        if (!m.name) continue;
        const name = m.name.getText();
        if (ts.isPropertySignature(m)) {
          members.set(name, { optional: !!m.questionToken, type: text(m.type), parameters: null });
        } else if (ts.isMethodSignature(m)) {
          members.set(name, {
            optional: !!m.questionToken,
            type: text(m.type),
            parameters: m.parameters.map((p) => ({ name: p.name.getText(), optional: !!p.questionToken, type: text(p.type) })),
          });
        }
      }
      const heritage = (d.heritageClauses ?? []).flatMap((h) => h.types.map((t) => t.getText()));
      interfaces.set(exported.name, { heritage, members });
    }
  }
  return { interfaces, aliases };
}
