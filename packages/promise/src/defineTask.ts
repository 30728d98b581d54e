/**
 * `defineTask`: a task from a plain function, for a task module written without Effect.
 *
 * @since 0.1.0
 */
import { type FutureError, Task } from "@effect-futures/core"

/**
 * Defines a task from a plain function, synchronous or async, in a *task module*: the module that a
 * `ThreadPoolExecutor` or `ProcessPoolExecutor` gives each worker to import. Export it under any name; `name`
 * is how a worker finds it. Values cross by structured clone (threads) or Node's `advanced` serialization
 * (processes); a throw becomes `TaskError` with the thrown error's name, message and stack. The same as
 * `Task.fromFunction` of `@effect-futures/core`; for typed errors and schemas, use `Task.make` there.
 *
 * @example
 * ```ts
 * // fibonacci.tasks.ts (in a .mjs file, the same without the types)
 * import { defineTask } from "@effect-futures/promise"
 *
 * const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2))
 * export const fibonacci = defineTask("fibonacci", (n: number) => fib(n))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defineTask: <I, A>(name: string, f: (input: I) => A) => Task.Task<I, Awaited<A>, FutureError.TaskError> =
  Task.fromFunction
