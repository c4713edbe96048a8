/**
 * The parts of the WebNN IDL (idl/webnn.idl) this polyfill deliberately does not provide. This list is the one place
 * they are recorded; the IDL surface test holds the installed API to the IDL minus exactly these, and prints them.
 */
export interface Omission {
  readonly interface: string;
  readonly member: string;
  /**
   * 'absent': the member is not on the interface prototype.
   * 'unsupported': the member is there (with the IDL's shape), but calls fail as `behaviour` says.
   */
  readonly kind: 'absent' | 'unsupported';
  /** The IDL signature that is not supported, when only one overload of the member is. */
  readonly signature?: string;
  readonly behaviour: string;
  readonly reason: string;
}

/** Nothing is left out now: WebGPU interop, the last omission, runs on the webgpu entry (api/gpu-export.ts). */
export const OMISSIONS: readonly Omission[] = [];

/** A member the polyfill provides beyond idl/webnn.idl, from a document of the WebNN group that defines it. */
export interface Addition {
  readonly interface: string;
  readonly member: string;
  readonly kind: 'attribute';
  readonly source: string;
}

/** The IDL surface test allows these, and only these, beyond the IDL. */
export const ADDITIONS: readonly Addition[] = [
  // The spec's IDL has createExportableTensor() but no way to ask a tensor whether it came from it.
  { interface: 'MLTensor', member: 'exportableToGPU', kind: 'attribute', source: 'mltensor-explainer.md, "Tentative IDL"' },
];
