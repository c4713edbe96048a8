/**
 * What every entry exports: install() / installNow() put navigator.ml and the ML* interfaces on the global object; the
 * classes and every WebNN dictionary and enum type are exported as well. The entries (index.ts, wasm.ts, webgl.ts,
 * cpu.ts, global.ts) add the TF.js backends they carry.
 */
import type { MLGraphBuilderMethods } from './api/builder-methods.js';
import type { MLContext } from './api/context.js';
import { MLGraphBuilder as MLGraphBuilderClass } from './api/graph-builder.js';

export { install, installNow, nativeWebNNWorks, polyfillML, type InstallOptions } from './install.js';
export { ML, type MLContextOptions, type WebGPUDevice } from './api/ml.js';
export { MLContext, type AllowSharedBufferSource, type MLNamedTensors } from './api/context.js';
export type { MLContextLostInfo } from './api/context-lost-info.js';
export { MLGraph } from './api/graph.js';
export { MLOperand } from './api/operand.js';
export { MLTensor } from './api/tensor.js';
export { tfjsBackendOf } from './api/tfjs-backend-of.js';
export type { MLNamedOperands } from './api/graph-builder.js';
export type { MLOperandDescriptor, MLTensorDescriptor } from './api/descriptor.js';
export type { MLPowerPreference } from './runtime/select.js';
export * from './api/builder-methods.js';
export * from './api/support-limits.js';
export type { MLOperandDataType } from './types/data-type.js';
export type { BackendName, BackendConfig } from './runtime/backend-config.js';
export type {
  MLBoundedDimension, MLDimension, MLGraphBuilderDynamicShapes, MLGraphDynamicShapes, MLInputOperandDescriptor,
  MLNamedShapes, MLOperandDynamicShapes, MLReshapeTo2dOptions, MLResample2dDynamicOptions, MLSliceDynamicOptions,
  MLSqueezeOptions,
} from './api/dynamic-shapes-types.js';

/**
 * The graph builder, with every operation of the WebNN IDL declared (MLGraphBuilderMethods). Operations this version
 * does not implement yet are declared too, as the IDL is the contract; they are absent at run time and from
 * MLContext.opSupportLimits().
 */
export interface MLGraphBuilder extends MLGraphBuilderClass, MLGraphBuilderMethods {}

// The class installs the operation methods from the operation table at run time; this gives it their declarations.
export const MLGraphBuilder = MLGraphBuilderClass as unknown as {
  readonly prototype: MLGraphBuilder;
  new (context: MLContext): MLGraphBuilder;
};
