/**
 * The dynamic-shape proposal (webmachinelearning/webnn pull request #945), off unless switched on. Off, the API is
 * the static spec exactly; on, MLGraphBuilder gains the proposal's operations and symbolic input dimensions, and
 * MLGraph gains computeShapes(). A builder keeps the mode it was made in.
 */
let dynamicShapes = false;
const listeners: ((enabled: boolean) => void)[] = [];

export function dynamicShapesEnabled(): boolean {
  return dynamicShapes;
}

export function setDynamicShapes(enabled: boolean): void {
  if (enabled === dynamicShapes) return;
  dynamicShapes = enabled;
  for (const listener of listeners) listener(enabled);
}

/** Calls `listener` now and whenever the switch changes (to add or remove members of the interfaces). */
export function whenDynamicShapesChange(listener: (enabled: boolean) => void): void {
  listeners.push(listener);
  listener(dynamicShapes);
}
