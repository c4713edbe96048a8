/**
 * Faults for the tests to inject where real backends fail rarely and unpredictably: a kernel that throws or an
 * allocation that fails during a dispatch or a write, a readback that never finishes. Each is armed by a test and
 * fires once; nothing outside the tests arms them.
 */

let dispatchFault: Error | null = null;
let writeFault: Error | null = null;
let hangingReads = 0;

/** The next dispatch to run (on the timeline) throws `error` as its graph starts. */
export function failNextDispatch(error: Error): void {
  dispatchFault = error;
}

/** The next writeTensor() call throws `error` as it allocates the tensor's new data. */
export function failNextWrite(error: Error): void {
  writeFault = error;
}

/** The next readback to run (on the timeline) never finishes. */
export function hangNextRead(): void {
  hangingReads++;
}

export function clearFaults(): void {
  dispatchFault = null;
  writeFault = null;
  hangingReads = 0;
}

/** Throws the armed dispatch fault, if any, disarming it. */
export function dispatchFaultCheck(): void {
  const error = dispatchFault;
  if (error === null) return;
  dispatchFault = null;
  throw error;
}

/** Throws the armed write fault, if any, disarming it. */
export function writeFaultCheck(): void {
  const error = writeFault;
  if (error === null) return;
  writeFault = null;
  throw error;
}

/** Whether this readback is to hang (disarming one). */
export function readHangs(): boolean {
  if (hangingReads === 0) return false;
  hangingReads--;
  return true;
}

/** Whether a test has armed a fault that has not fired yet. */
export function faultsArmed(): boolean {
  return dispatchFault !== null || writeFault !== null || hangingReads > 0;
}
