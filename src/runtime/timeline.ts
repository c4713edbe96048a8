/**
 * The one queue every use of TF.js goes through: its active backend is one global, while each context owns its own
 * backend, so the work of all contexts runs in the order it was enqueued, one job at a time.
 *
 * Jobs enqueued together run together, in one microtask, without a promise each: a dispatch's write, run and read
 * cost a few function calls, not a chain of promise reactions. A job that returns a promise holds the queue until it
 * settles (a backend's first start, a webgl readback).
 */

/** Called once with the job's outcome: what it threw or its promise rejected with (`failed`), else its result. */
export type Settle = (failed: boolean, outcome: unknown) => void;

interface Job {
  readonly run: () => unknown;
  readonly settle: Settle;
}

const jobs: (Job | undefined)[] = [];
let next = 0;
/** A drain is scheduled, running, or waiting for a job's promise. */
let draining = false;

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

function settleSafely(job: Job, failed: boolean, outcome: unknown): void {
  try {
    job.settle(failed, outcome);
  } catch {
    // A settle callback only resolves, rejects or reports; nothing it throws may stop the queue.
  }
}

function drain(): void {
  while (next < jobs.length) {
    const job = jobs[next]!;
    jobs[next++] = undefined;
    let result: unknown;
    try {
      result = job.run();
    } catch (error) {
      settleSafely(job, true, error);
      continue;
    }
    if (isThenable(result)) {
      result.then((value) => {
        settleSafely(job, false, value);
        drain();
      }, (error: unknown) => {
        settleSafely(job, true, error);
        drain();
      });
      return;
    }
    settleSafely(job, false, result);
  }
  jobs.length = 0;
  next = 0;
  draining = false;
}

/** Runs `run` after every job enqueued before it, then calls `settle` with its outcome. */
export function enqueueJob(run: () => unknown, settle: Settle): void {
  jobs.push({ run, settle });
  if (!draining) {
    draining = true;
    queueMicrotask(drain);
  }
}

/** enqueueJob() for a caller that wants a promise of the outcome. */
export function runExclusive<T>(run: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    enqueueJob(run, (failed, outcome) => (failed ? reject(outcome) : resolve(outcome as T)));
  });
}
