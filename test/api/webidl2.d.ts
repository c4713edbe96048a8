/** The part of webidl2's AST the IDL surface test reads (the package ships no types). */
declare module 'webidl2' {
  export interface IdlExtendedAttribute {
    name: string;
  }
  export interface IdlArgument {
    name: string;
    optional: boolean;
    variadic: boolean;
  }
  export interface IdlMember {
    type: string;
    name?: string;
    special?: string;
    readonly?: boolean;
    arguments?: IdlArgument[];
    extAttrs: IdlExtendedAttribute[];
  }
  export interface IdlDefinition {
    type: string;
    name?: string;
    partial?: boolean;
    inheritance?: string | null;
    members?: IdlMember[];
    extAttrs?: IdlExtendedAttribute[];
    target?: string;
    includes?: string;
  }
  export function parse(text: string): IdlDefinition[];
}
