/**
 * The members every Promise executor has: readiness, shutdown, `await using`.
 *
 * @internal
 */
import type * as Layer from "effect/Layer"
import * as State from "./executor.ts"
import type { ShutdownOptions } from "./executor.ts"

export type { ShutdownOptions } from "./executor.ts"

/** @internal */
export abstract class BaseExecutor<R> {
  /** @internal */
  protected readonly state: State.ExecutorState<R>

  /** Starts the executor now; throws if an option is wrong in itself (`maxWorkers: 0`). */
  constructor(layer: Layer.Layer<R, unknown>, options: { readonly keepAlive: boolean }) {
    this.state = State.make(this, layer, options)
  }

  /**
   * Resolves once the executor is ready (its first workers have loaded the task module); rejects with the
   * error that keeps it from starting, such as `TaskModuleError` for a task module that cannot be imported.
   * Awaiting it is optional: tasks submitted before wait for it, and fail with that error.
   */
  get ready(): Promise<void> {
    return this.state.ready
  }

  /**
   * Python's `shutdown`: later submits throw `ExecutorShutdownError`; `cancelFutures` cancels the tasks that
   * have not started; then the executor releases its workers once the running tasks have ended. With `wait`
   * (default) the Promise resolves when all of that is done.
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    return State.shutdown(this.state, options)
  }

  /** `await using executor = new …Executor(…)`: `shutdown()` when the block ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return State.shutdown(this.state)
  }
}
