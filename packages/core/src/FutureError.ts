/**
 * The errors of effect-futures. Every one is a `Schema.TaggedError`, so it can cross a thread or process
 * boundary and arrive as an instance of the same class.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"

/**
 * The future was cancelled: `Future.result` of a cancelled future fails with it (Python's `CancelledError`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future, FutureError } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.make<number>()
 *   yield* Future.cancel(future)
 *   const error = yield* Effect.flip(Future.result(future))
 *   return error instanceof FutureError.CancelledError // true
 * })
 * ```
 *
 * @since 0.1.0
 */
export class CancelledError extends Schema.TaggedError<CancelledError>()("CancelledError", {
  message: Schema.String
}) {}

/**
 * Effect's own `Cause.TimeoutError`: `result`, `exception`, `asCompleted` and `map` fail with it when a
 * timeout elapses.
 *
 * @example
 * ```ts
 * import { FutureError } from "@effect-futures/core"
 *
 * const error = new FutureError.TimeoutError("no result within 1 second")
 * error._tag // "TimeoutError"
 * ```
 *
 * @since 0.1.0
 */
export const TimeoutError = Cause.TimeoutError

/**
 * The type of {@link TimeoutError}.
 *
 * @since 0.1.0
 */
export type TimeoutError = Cause.TimeoutError

/**
 * A task was submitted to an executor that has been shut down.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   yield* Executor.shutdown()
 *   return yield* Effect.flip(Executor.submit(Effect.succeed(1)))
 * }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
 * // fails with ExecutorShutdownError
 * ```
 *
 * @since 0.1.0
 */
export class ExecutorShutdownError extends Schema.TaggedError<ExecutorShutdownError>()("ExecutorShutdownError", {
  message: Schema.String
}) {}

/**
 * A worker died while it held a task, or could not start: the futures it held fail with this error, the
 * pool replaces the worker and keeps serving (Python's `BrokenProcessPool`, without breaking the pool).
 *
 * @example
 * ```ts
 * import { FutureError } from "@effect-futures/core"
 *
 * const error = new FutureError.BrokenExecutorError({ message: "worker exited with code 1" })
 * ```
 *
 * @since 0.1.0
 */
export class BrokenExecutorError extends Schema.TaggedError<BrokenExecutorError>()("BrokenExecutorError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * An operation is not valid in the future's current state, such as completing a future twice (Python's
 * `InvalidStateError`).
 *
 * @example
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.make<number>()
 *   yield* Future.complete(future, Exit.succeed(1))
 *   return yield* Effect.flip(Future.complete(future, Exit.succeed(2))) // InvalidStateError
 * })
 * ```
 *
 * @since 0.1.0
 */
export class InvalidStateError extends Schema.TaggedError<InvalidStateError>()("InvalidStateError", {
  message: Schema.String,
  state: Schema.String
}) {}

/**
 * A task's input (in the caller) or output (in the worker) could not be encoded to cross the boundary.
 *
 * @example
 * ```ts
 * import { FutureError } from "@effect-futures/core"
 *
 * const error = new FutureError.TaskEncodeError({ task: "countPrimes", message: "Expected number" })
 * ```
 *
 * @since 0.1.0
 */
export class TaskEncodeError extends Schema.TaggedError<TaskEncodeError>()("TaskEncodeError", {
  task: Schema.String,
  message: Schema.String
}) {}

/**
 * A task's input (in the worker) or output (in the caller) could not be decoded after crossing the
 * boundary.
 *
 * @example
 * ```ts
 * import { FutureError } from "@effect-futures/core"
 *
 * const error = new FutureError.TaskDecodeError({ task: "countPrimes", message: "Expected number" })
 * ```
 *
 * @since 0.1.0
 */
export class TaskDecodeError extends Schema.TaggedError<TaskDecodeError>()("TaskDecodeError", {
  task: Schema.String,
  message: Schema.String
}) {}

/**
 * A plain function (`Task.fromFunction`) threw: its name, message and stack are kept.
 *
 * @example
 * ```ts
 * import { FutureError } from "@effect-futures/core"
 *
 * const error = FutureError.TaskError.fromThrown(new RangeError("too big"))
 * error.name // "RangeError"
 * ```
 *
 * @since 0.1.0
 */
export class TaskError extends Schema.TaggedError<TaskError>()("TaskError", {
  name: Schema.String,
  message: Schema.String,
  stack: Schema.optional(Schema.String)
}) {
  /**
   * Builds a `TaskError` from any thrown value.
   *
   * @since 0.1.0
   */
  static fromThrown(thrown: unknown): TaskError {
    if (thrown instanceof Error) {
      return new TaskError({
        name: thrown.name,
        message: thrown.message,
        ...(thrown.stack === undefined ? {} : { stack: thrown.stack })
      })
    }
    return new TaskError({ name: "Error", message: String(thrown) })
  }
}

/**
 * A sync function or a Promise failed with a value that no `catch` mapped to a typed error.
 *
 * @example
 * ```ts
 * import { FutureError } from "@effect-futures/core"
 *
 * const error = new FutureError.UnknownError({ message: "boom", cause: new Error("boom") })
 * ```
 *
 * @since 0.1.0
 */
export class UnknownError extends Schema.TaggedError<UnknownError>()("UnknownError", {
  message: Schema.String,
  cause: Schema.Defect()
}) {
  /**
   * Builds an `UnknownError` from any thrown or rejected value.
   *
   * @since 0.1.0
   */
  static fromThrown(thrown: unknown): UnknownError {
    return new UnknownError({ message: thrown instanceof Error ? thrown.message : String(thrown), cause: thrown })
  }
}

/**
 * `Executor.terminateWorkers` or `Executor.killWorkers` was asked of an executor that has no workers to stop: an
 * in-process one (`layerFiber`), whose tasks are fibers of this process. Python's `ThreadPoolExecutor` has no
 * `terminate_workers` either. Nothing was done: the executor is still open.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 *
 * // On a fiber pool, fall back to a shutdown that cancels the queued tasks.
 * const program = Executor.killWorkers.pipe(
 *   Effect.catchTag("NoWorkersError", () => Executor.shutdown({ cancelFutures: true })),
 *   Effect.provide(Executor.layerFiber())
 * )
 * ```
 *
 * @since 0.1.0
 */
export class NoWorkersError extends Schema.TaggedError<NoWorkersError>()("NoWorkersError", {
  message: Schema.String
}) {}

/**
 * The errors a future of a task run across a boundary can carry besides the task's own failure.
 *
 * @since 0.1.0
 */
export type TaskBoundaryError = BrokenExecutorError | TaskEncodeError | TaskDecodeError
