/**
 * The task module of Example 23.3: a legacy synchronous function that blocks its thread for ~200 ms (as a
 * PDF renderer or an old driver would), wrapped as a task with `Task.fromFunction`: no Effect, no schema.
 */
import { Task } from "@effect-futures/core"

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** Blocks the calling thread — no event loop, no timers — for `millis`, then computes. */
export const legacyBlockingComputeSync = (value: number, millis = 200): number => {
  Atomics.wait(sleeper, 0, 0, millis)
  return value * value
}

export const legacyBlockingCompute = Task.fromFunction("legacyBlockingCompute", (value: number) =>
  legacyBlockingComputeSync(value)
)
