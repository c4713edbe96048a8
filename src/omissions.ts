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

/** Everything here comes from WebGPU interop: TF.js's WebGL backend can neither adopt a GPUDevice nor fill GPUBuffers. */
export const OMISSIONS: readonly Omission[] = [
  {
    interface: 'MLContext', member: 'createExportableTensor', kind: 'unsupported',
    behaviour: 'the promise rejects with a NotSupportedError (a TypeError when gpuDevice is not a GPUDevice)',
    reason: 'tensors do not live in GPUBuffers',
  },
  {
    interface: 'MLContext', member: 'exportToGPU', kind: 'unsupported',
    behaviour: 'throws a TypeError: no tensor is exportable, as none comes from createExportableTensor()',
    reason: 'tensors do not live in GPUBuffers',
  },
];
