/** The browser stand-in for ts-declarations.ts: reading declarations needs the TypeScript compiler, run in Node only. */
export interface DeclaredMember {
  optional: boolean;
  type: string;
  parameters: { name: string; optional: boolean; type: string }[] | null;
}

export interface DeclaredInterface {
  heritage: string[];
  members: Map<string, DeclaredMember>;
}

export interface Declarations {
  interfaces: Map<string, DeclaredInterface>;
  aliases: Map<string, string>;
}

export function loadDeclarations(): Declarations {
  throw new Error('Node only');
}
