/**
 * A context's [[timeline]]: its jobs run in the order they were enqueued, one at a time. Each context has its own, so a
 * job that fails or never finishes holds up only the jobs of its own context. TF.js's active backend is one global, the
 * app's as well: a job that computes through TF.js's engine makes its backend active and puts back the one it found
 * before it returns, so nothing of ours is active while a job waits (a webgl readback, which reads a tensor on its own
 * backend) or between drains.
 *
 * Jobs enqueued together run together, in one microtask, without a promise each: a dispatch's write, run and read
 * cost a few function calls, not a chain of promise reactions. A job that returns a promise holds its timeline until
 * the promise settles; one still waiting after `timelineLimits.stallMs` (at most twice that) is reported stalled.
 */

/** Called once with the job's outcome: what it threw or its promise rejected with (`failed`), else its result. */
export type Settle = (failed: boolean, outcome: unknown) => void;

/** Work on a timeline: `run` in its turn, then `settle` with its outcome. */
export interface Job {
  run(): unknown;
  settle(failed: boolean, outcome: unknown): void;
  /** The method that enqueued the job, handed to the timeline's `enter`; null for a job that always runs. */
  readonly where: string | null;
}

export const timelineLimits = {
  /**
   * How long a job may wait for its promise (a webgl readback) before its timeline is reported stalled (detected
   * within twice that). A readback waits for the GPU to finish the work enqueued before it; a minute is far beyond
   * any single dispatch.
   */
  stallMs: 60_000,
};

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

function settleSafely(job: Job, failed: boolean, outcome: unknown): void {
  try {
    job.settle(failed, outcome);
  } catch {
    // A settle callback only resolves, rejects or reports; nothing it throws may stop the timeline.
  }
}

export interface TimelineOwner {
  /**
   * Called before each job that has a `where`: throws to fail the job without running it (the context is lost).
   */
  enter(where: string): void;
  /** A job has waited `timelineLimits.stallMs` for its promise: the owner gives up on it by calling release(). */
  stalled(): void;
}

/**
 * Drains are scheduled as reactions to this promise, not with queueMicrotask(): in Chromium, queueMicrotask() goes
 * through the page's bindings and costs microseconds (a 4-byte readTensor() inside ONNX Runtime's run: 2.9 us to call,
 * 10 us to settle, against 1.2 and 6 this way); a promise reaction is V8's own. Both run in the same microtask queue.
 */
const RESOLVED = Promise.resolve();

export class Timeline {
  readonly #owner: TimelineOwner;
  #jobs: (Job | undefined)[] = [];
  #next = 0;
  /** A drain is scheduled, running, or waiting for a job's promise. */
  #draining = false;
  /** The job whose promise the timeline waits for. */
  #waitingFor: Job | null = null;
  /** How many times the timeline has waited for a promise; and that count when the watchdog last looked. */
  #waits = 0;
  #waitsSeen = -1;
  /** In Timeline.#watchlist, from its first wait until the watchdog finds it no longer waiting. */
  #listed = false;
  readonly #drain = (): void => this.#runJobs();

  /**
   * One watchdog for every timeline, rather than a timer per wait (a webgl readback of a small tensor takes a few
   * microseconds; a timer costs about one): every stallMs, a timeline found in the same wait as last time is stalled.
   * A wait only bumps a count; the watchdog drops the timelines it finds idle.
   */
  static #watchlist: Timeline[] = [];
  static #watchdog: ReturnType<typeof setTimeout> | undefined;
  static #watchdogMs = 0;

  static #watch(): void {
    const ms = timelineLimits.stallMs;
    if (Timeline.#watchdog !== undefined) {
      if (Timeline.#watchdogMs <= ms) return;
      clearTimeout(Timeline.#watchdog);
    }
    Timeline.#watchdogMs = ms;
    Timeline.#watchdog = setTimeout(Timeline.#look, ms);
    // In Node the watchdog alone must not keep a process alive that has nothing else to do.
    (Timeline.#watchdog as { unref?: () => void }).unref?.();
  }

  static readonly #look = (): void => {
    Timeline.#watchdog = undefined;
    const listed = Timeline.#watchlist;
    Timeline.#watchlist = [];
    for (const timeline of listed) {
      if (timeline.#waitingFor === null) {
        timeline.#listed = false;
        continue;
      }
      if (timeline.#waitsSeen === timeline.#waits) timeline.#stalled();
      else timeline.#waitsSeen = timeline.#waits;
      // Still waiting (a stalled job's owner may not have released it): looked at again next time.
      if (timeline.#waitingFor === null) timeline.#listed = false;
      else Timeline.#watchlist.push(timeline);
    }
    if (Timeline.#watchlist.length > 0) Timeline.#watch();
  };

  constructor(owner: TimelineOwner) {
    this.#owner = owner;
  }

  /** Whether no job is queued, running or waited for: a job run now would run where enqueue() would run it. */
  get idle(): boolean {
    return !this.#draining;
  }

  /**
   * Runs `run` after every job enqueued before it on this timeline, then calls `settle` with its outcome. `where`
   * names the method for the owner's `enter`; null runs the job whatever state the owner is in (releasing memory).
   */
  enqueue(run: () => unknown, settle: Settle, where: string | null): void {
    this.enqueueJob({ run, settle, where });
  }

  /** enqueue() for a job made as one object. */
  enqueueJob(job: Job): void {
    this.#jobs.push(job);
    if (!this.#draining) {
      this.#draining = true;
      RESOLVED.then(this.#drain);
    }
  }

  /** Stops waiting for the job in progress, if any, which settles as failed with `error`; the jobs after it run. */
  release(error: unknown): void {
    const job = this.#waitingFor;
    if (!job) return;
    this.#stopWaiting();
    settleSafely(job, true, error);
    RESOLVED.then(this.#drain);
  }

  #runJobs(): void {
    const jobs = this.#jobs;
    while (this.#next < jobs.length) {
      const job = jobs[this.#next]!;
      jobs[this.#next++] = undefined;
      let result: unknown;
      try {
        if (job.where !== null) this.#owner.enter(job.where);
        result = job.run();
      } catch (error) {
        settleSafely(job, true, error);
        continue;
      }
      if (isThenable(result)) {
        this.#waitFor(job, result);
        return;
      }
      settleSafely(job, false, result);
    }
    // A new array rather than `length = 0`, a store the engine makes in C++ (microseconds where its code is cold).
    this.#jobs = [];
    this.#next = 0;
    this.#draining = false;
  }

  #waitFor(job: Job, result: PromiseLike<unknown>): void {
    this.#waitingFor = job;
    this.#waits++;
    if (!this.#listed) {
      this.#listed = true;
      Timeline.#watchlist.push(this);
    }
    if (Timeline.#watchdog === undefined || Timeline.#watchdogMs > timelineLimits.stallMs) Timeline.#watch();
    result.then((value) => this.#finish(job, false, value), (error: unknown) => this.#finish(job, true, error));
  }

  #finish(job: Job, failed: boolean, outcome: unknown): void {
    // A job released while it waited has settled already.
    if (this.#waitingFor !== job) return;
    this.#stopWaiting();
    settleSafely(job, failed, outcome);
    this.#runJobs();
  }

  #stopWaiting(): void {
    this.#waitingFor = null;
  }

  #stalled(): void {
    const job = this.#waitingFor;
    if (!job) return;
    try {
      this.#owner.stalled();
    } finally {
      // The owner releases the job; should it not, the timeline must still move on.
      if (this.#waitingFor === job) this.release(new Error(`a job did not finish within ${timelineLimits.stallMs} ms`));
    }
  }
}
