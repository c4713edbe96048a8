/**
 * The layering of src/ (Node only: it reads the sources). Data flows one way: the package's entry points, the WebNN
 * interfaces (api/), the dynamic-shape proposal (dynamic/), graph compilation (graph/), the operations (ops/), the
 * TF.js backends (runtime/), then the vocabulary every layer shares: the graph IR's types (graph/ir.ts) and the WebIDL
 * conversions, the data types (types/), the errors. A file imports files of its own layer or of lower ones, and
 * `import type` counts: a lower layer that needs something of a higher one declares an interface the higher one
 * implements. No two files import each other, directly or through others.
 */
import { readSourceImports, type SourceImport } from './util/source-imports.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Highest first. A file belongs to the layer of its most specific entry: a file named, else its folder. */
const LAYERS: readonly (readonly string[])[] = [
  ['index.ts', 'webgpu.ts', 'wasm.ts', 'webgl.ts', 'cpu.ts', 'global.ts', 'global-webgpu.ts', 'carry-webgpu.ts', 'public-api.ts',
    'install.ts', 'model-loader.ts', 'wasi-nn.ts', 'wasi-nn-worker.ts'],
  ['wasi-nn/'],
  ['model-loader/'],
  ['api/'],
  ['dynamic/'],
  ['graph/'],
  ['ops/'],
  ['runtime/'],
  ['graph/ir.ts', 'webidl.ts'],
  ['types/'],
  ['errors.ts', 'omissions.ts'],
];

function layerOf(file: string): number | null {
  let layer: number | null = null;
  let matched = '';
  for (const [k, entries] of LAYERS.entries()) {
    for (const entry of entries) {
      const matches = entry.endsWith('/') ? file.startsWith(entry) : file === entry;
      if (matches && entry.length > matched.length) {
        layer = k;
        matched = entry;
      }
    }
  }
  return layer;
}

/** Every import of a file by a file of a higher layer, and every file in no layer. */
export function layeringProblems(imports: ReadonlyMap<string, readonly SourceImport[]>): string[] {
  const problems: string[] = [];
  for (const [file, list] of imports) {
    const from = layerOf(file);
    if (from === null) {
      problems.push(`src/${file} belongs to no layer (add it to LAYERS in test/structure.test.ts)`);
      continue;
    }
    for (const i of list) {
      const to = layerOf(i.target);
      if (to !== null && to < from) {
        problems.push(`src/${file}:${i.line} imports '${i.specifier}' (src/${i.target}), a higher layer`);
      }
    }
  }
  return problems;
}

/** One cycle through each group of files that import each other (directly or through others), as a path. */
export function importCycles(imports: ReadonlyMap<string, readonly SourceImport[]>): string[][] {
  const targets = (file: string) => [...new Set((imports.get(file) ?? []).map((i) => i.target))].filter((t) => imports.has(t));
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const t of targets(file)) {
      if (!index.has(t)) {
        visit(t);
        low.set(file, Math.min(low.get(file)!, low.get(t)!));
      } else if (onStack.has(t)) {
        low.set(file, Math.min(low.get(file)!, index.get(t)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let top: string;
    do {
      top = stack.pop()!;
      onStack.delete(top);
      component.push(top);
    } while (top !== file);
    if (component.length > 1 || targets(file).includes(file)) components.push(component);
  };
  for (const file of imports.keys()) if (!index.has(file)) visit(file);
  // A path back to the start within the component, found breadth-first from the component's first file.
  return components.map((component) => {
    const members = new Set(component);
    const start = component.sort()[0]!;
    const previous = new Map<string, string>();
    const queue = [start];
    for (let k = 0; k < queue.length; k++) {
      const file = queue[k]!;
      for (const t of targets(file)) {
        if (!members.has(t) || previous.has(t)) continue;
        previous.set(t, file);
        if (t === start) {
          const path = [start];
          for (let at = file; at !== start; at = previous.get(at)!) path.unshift(at);
          return [start, ...path];
        }
        queue.push(t);
      }
    }
    return component;
  });
}

function importsOf(edges: Record<string, string[]>): Map<string, SourceImport[]> {
  return new Map(Object.entries(edges).map(([file, targets]) =>
    [file, targets.map((target, k) => ({ specifier: `./${target}`, target, line: k + 1 }))]));
}

if (isNode) {
  describe('source layering', () => {
    it('finds an import of a higher layer, import type included, and a file in no layer', () => {
      const problems = layeringProblems(importsOf({
        'ops/a.ts': ['graph/ir.ts', 'api/operand.ts'],
        'graph/ir.ts': ['types/data-type.ts', 'graph/plan.ts'],
        'graph/plan.ts': ['graph/ir.ts', 'ops/a.ts'],
        'stray.ts': [],
      }));
      const expected = [
        "src/ops/a.ts:2 imports './api/operand.ts' (src/api/operand.ts), a higher layer",
        "src/graph/ir.ts:2 imports './graph/plan.ts' (src/graph/plan.ts), a higher layer",
        'src/stray.ts belongs to no layer (add it to LAYERS in test/structure.test.ts)',
      ];
      if (problems.join('\n') !== expected.join('\n')) throw new Error(`found:\n${problems.join('\n')}`);
    });

    it('finds each import cycle, as a path', () => {
      const cycles = importCycles(importsOf({
        'a.ts': ['b.ts'], 'b.ts': ['c.ts', 'd.ts'], 'c.ts': ['a.ts'], 'd.ts': ['e.ts'], 'e.ts': ['e.ts'], 'f.ts': ['a.ts'],
      }));
      const found = cycles.map((c) => c.join(' -> ')).sort();
      const expected = ['a.ts -> b.ts -> c.ts -> a.ts', 'e.ts -> e.ts'];
      if (found.join('\n') !== expected.join('\n')) throw new Error(`found:\n${found.join('\n')}`);
    });

    describe('src/', () => {
      let imports: Map<string, SourceImport[]>;
      before(() => {
        imports = readSourceImports();
      });

      it('reads the sources', () => {
        const count = [...imports.values()].reduce((n, list) => n + list.length, 0);
        if (!imports.has('api/graph-builder.ts') || !imports.has('ops/op-call.ts') || count < 300) {
          throw new Error(`read ${imports.size} files with ${count} imports`);
        }
        const unresolved = [...imports].flatMap(([file, list]) =>
          list.filter((i) => !imports.has(i.target)).map((i) => `src/${file}:${i.line} '${i.specifier}'`));
        if (unresolved.length > 0) throw new Error(`imports of no source file:\n${unresolved.join('\n')}`);
      });

      it('no file imports a file of a higher layer', () => {
        const problems = layeringProblems(imports);
        if (problems.length > 0) throw new Error(problems.join('\n'));
      });

      it('no files import each other', () => {
        const cycles = importCycles(imports);
        if (cycles.length > 0) throw new Error(`import cycles:\n${cycles.map((c) => c.map((f) => `src/${f}`).join(' -> ')).join('\n')}`);
      });
    });
  });
}
