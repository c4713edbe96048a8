/** The shapes webidl2 parses IDL into, as far as the declaration tests read them, and the TypeScript each IDL type
 * is declared as. */

export interface IdlType {
  generic: string;
  union: boolean;
  idlType: string | IdlType[];
}

export interface IdlMember {
  type: string;
  name: string;
  required?: boolean;
  idlType: IdlType;
  arguments?: { name: string; optional: boolean; idlType: IdlType }[];
}

export interface IdlDefinition {
  type: string;
  name: string;
  partial?: boolean;
  inheritance?: string | null;
  members?: IdlMember[];
  values?: { value: string }[];
}

const NUMERIC = new Set(['unsigned long', 'long', 'double', 'float', 'unrestricted double', 'unsigned long long']);

/** The TypeScript an IDL type is declared as: sequences taken as `readonly T[]`, returned as `T[]`. */
export function expectedType(t: IdlType, taken: boolean): string {
  if (t.union) return (t.idlType as IdlType[]).map((x) => expectedType(x, taken)).join(' | ');
  if (t.generic === 'sequence') {
    const item = expectedType((t.idlType as IdlType[])[0]!, taken);
    return taken ? `readonly ${item}[]` : `${item}[]`;
  }
  const name = t.idlType as string;
  if (NUMERIC.has(name)) return 'number';
  if (name === 'boolean') return 'boolean';
  if (name === 'USVString' || name === 'DOMString') return 'string';
  if (name === 'MLDataTypeList') return 'MLOperandDataType[]';
  return name;
}
