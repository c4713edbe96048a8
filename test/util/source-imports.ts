/**
 * Node only: the imports of one source file by another, for every .ts file under src/ (import, import type,
 * export ... from, import()), read with the TypeScript compiler's import scanner. The browser bundle uses
 * source-imports.browser.ts instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TS from 'typescript';

export interface SourceImport {
  /** As written: '../graph/ir.js'. */
  readonly specifier: string;
  /** The imported file, relative to src/ ('graph/ir.ts'). */
  readonly target: string;
  readonly line: number;
}

const srcRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each file of src/ (relative to src/, '/'-separated) with its imports of other src files. */
export function readSourceImports(): Map<string, SourceImport[]> {
  const ts = createRequire(import.meta.url)('typescript') as typeof TS;
  const result = new Map<string, SourceImport[]>();
  for (const path of sourceFiles(srcRoot)) {
    const file = relative(srcRoot, path).split(sep).join('/');
    const text = readFileSync(path, 'utf8');
    const imports = ts.preProcessFile(text, true, true).importedFiles
      .filter((ref) => ref.fileName.startsWith('.'))
      .map((ref) => ({
        specifier: ref.fileName,
        target: posix.normalize(posix.join(posix.dirname(file), ref.fileName)).replace(/\.js$/, '.ts'),
        line: text.slice(0, ref.pos).split('\n').length,
      }));
    result.set(file, imports);
  }
  return result;
}
