/**
 * The errors a Promise executor's futures reject with: the classes of `@effect-futures/core` and
 * `@effect-futures/node`, re-exported so that code without Effect can test them with `instanceof`.
 *
 * @since 0.1.0
 */
import { FutureError } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"

/**
 * The error the future was cancelled: `result()` and `exception()` of a cancelled future reject with it.
 *
 * @example
 * ```ts
 * import { AsyncPoolExecutor, CancelledError } from "@effect-futures/promise"
 *
 * await using executor = new AsyncPoolExecutor({ maxWorkers: 1 })
 * executor.submit(() => new Promise((resolve) => setTimeout(resolve, 100)))
 * const queued = executor.submit(async () => "never runs")
 * queued.cancel() // true: it had not started
 * const error = await queued.result().catch((error: unknown) => error)
 * console.log(error instanceof CancelledError) // true
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const CancelledError = FutureError.CancelledError

/**
 * @since 0.1.0
 * @category errors
 */
export type CancelledError = FutureError.CancelledError

/**
 * The error a timeout elapsed: `result({ timeout })`, `exception({ timeout })`, `map` and `asCompleted` with a `timeout` reject with it (Effect's `Cause.TimeoutError`).
 *
 * @example
 * ```ts
 * import { AsyncPoolExecutor, TimeoutError } from "@effect-futures/promise"
 *
 * await using executor = new AsyncPoolExecutor()
 * const slow = executor.submit(() => new Promise((resolve) => setTimeout(resolve, 1_000, "late")))
 * const error = await slow.result({ timeout: 10 }).catch((error: unknown) => error)
 * console.log(error instanceof TimeoutError, slow.done()) // true false: the future goes on
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const TimeoutError = FutureError.TimeoutError

/**
 * @since 0.1.0
 * @category errors
 */
export type TimeoutError = FutureError.TimeoutError

/**
 * The error thrown by `submit` after `shutdown()`.
 *
 * @example
 * ```ts
 * import { AsyncPoolExecutor, ExecutorShutdownError } from "@effect-futures/promise"
 *
 * const executor = new AsyncPoolExecutor()
 * await executor.shutdown()
 * try {
 *   executor.submit(async () => 1)
 * } catch (error) {
 *   console.log(error instanceof ExecutorShutdownError) // true
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const ExecutorShutdownError = FutureError.ExecutorShutdownError

/**
 * @since 0.1.0
 * @category errors
 */
export type ExecutorShutdownError = FutureError.ExecutorShutdownError

/**
 * The error a worker died while it ran the task (the pool replaces it and keeps serving), or the pool's initializer failed.
 *
 * @example
 * ```ts
 * import { BrokenExecutorError, ThreadPoolExecutor } from "@effect-futures/promise"
 * import { fibonacci } from "./fibonacci.tasks.ts"
 *
 * await using executor = new ThreadPoolExecutor({ module: new URL("./fibonacci.tasks.ts", import.meta.url) })
 * const error = await executor.submit(fibonacci, 20).exception()
 * console.log(error instanceof BrokenExecutorError) // false: it succeeded
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const BrokenExecutorError = FutureError.BrokenExecutorError

/**
 * @since 0.1.0
 * @category errors
 */
export type BrokenExecutorError = FutureError.BrokenExecutorError

/**
 * The error a `defineTask` function threw in its worker: the thrown error's `name`, `message` and `stack` are kept.
 *
 * @example
 * ```ts
 * import { TaskError, ThreadPoolExecutor } from "@effect-futures/promise"
 * import { fibonacci } from "./fibonacci.tasks.ts"
 *
 * await using executor = new ThreadPoolExecutor({ module: new URL("./fibonacci.tasks.ts", import.meta.url) })
 * const error = await executor.submit(fibonacci, 20).exception()
 * console.log(error instanceof TaskError) // false: it succeeded
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const TaskError = FutureError.TaskError

/**
 * @since 0.1.0
 * @category errors
 */
export type TaskError = FutureError.TaskError

/**
 * The error a task's input (in the caller) or output (in the worker) cannot cross to the other side.
 *
 * @example
 * ```ts
 * import { TaskEncodeError, ThreadPoolExecutor } from "@effect-futures/promise"
 * import { fibonacci } from "./fibonacci.tasks.ts"
 *
 * await using executor = new ThreadPoolExecutor({ module: new URL("./fibonacci.tasks.ts", import.meta.url) })
 * const error = await executor.submit(fibonacci, 20).exception()
 * console.log(error instanceof TaskEncodeError) // false: it succeeded
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const TaskEncodeError = FutureError.TaskEncodeError

/**
 * @since 0.1.0
 * @category errors
 */
export type TaskEncodeError = FutureError.TaskEncodeError

/**
 * The error a task's input (in the worker) or output (in the caller) does not decode with the task's schema.
 *
 * @example
 * ```ts
 * import { TaskDecodeError, ThreadPoolExecutor } from "@effect-futures/promise"
 * import { fibonacci } from "./fibonacci.tasks.ts"
 *
 * await using executor = new ThreadPoolExecutor({ module: new URL("./fibonacci.tasks.ts", import.meta.url) })
 * const error = await executor.submit(fibonacci, 20).exception()
 * console.log(error instanceof TaskDecodeError) // false: it succeeded
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const TaskDecodeError = FutureError.TaskDecodeError

/**
 * @since 0.1.0
 * @category errors
 */
export type TaskDecodeError = FutureError.TaskDecodeError

/**
 * The error a worker executor's task module cannot be loaded: `ready` and every future of the executor reject with it.
 *
 * @example
 * ```ts
 * import { TaskModuleError, ThreadPoolExecutor } from "@effect-futures/promise"
 *
 * await using executor = new ThreadPoolExecutor({ module: new URL("./no-such.tasks.mjs", import.meta.url) })
 * const error = await executor.ready.catch((error: unknown) => error)
 * console.log(error instanceof TaskModuleError) // true
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export const TaskModuleError = NodeExecutor.TaskModuleError

/**
 * @since 0.1.0
 * @category errors
 */
export type TaskModuleError = NodeExecutor.TaskModuleError
