/** The browser stand-in for source-imports.ts: reading the sources needs Node's file system. */
export interface SourceImport {
  readonly specifier: string;
  readonly target: string;
  readonly line: number;
}

export function readSourceImports(): Map<string, SourceImport[]> {
  throw new Error('Node only');
}
