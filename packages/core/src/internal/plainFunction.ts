/**
 * Plain functions where the API meets them: run as an Effect, for `Task.fromFunction` and
 * `Executor.runInExecutor` (a throw or a rejection becomes `TaskError`); and the error that says what to do
 * when one is given where a `Task` is needed.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { TaskError } from "../FutureError.ts"

/** @internal */
export const callPlainFunction = <A>(call: () => A): Effect.Effect<Awaited<A>, TaskError> =>
  Effect.suspend(() => {
    let value: A
    try {
      value = call()
    } catch (thrown) {
      return Effect.fail(TaskError.fromThrown(thrown))
    }
    return isPromiseLike(value)
      ? Effect.tryPromise({ try: () => value as PromiseLike<Awaited<A>>, catch: TaskError.fromThrown })
      : Effect.succeed(value as Awaited<A>)
  })

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as { then?: unknown }).then === "function"

/** How to turn work into something a worker can run: the end of every "a Task is needed" message. */
const howToMakeATask =
  'define it in a task module as Task.fromFunction("name", fn) (or Task.make with schemas), export it, and pass ' +
  "the Task with its input; closures and Effects run only on an in-process executor (Executor.layerFiber)"

/**
 * The defect of an Effect or a function given to an executor that runs only Tasks (a worker pool, the
 * cluster: it provides no `LocalExecutor`). The types already refuse it; this is for JavaScript callers and
 * casts, which would otherwise meet a bare "Service not found".
 *
 * @internal
 */
export const closureOnTaskExecutor = (
  operation: string,
  given: "an Effect" | "a function"
): Cause.IllegalArgumentError =>
  new Cause.IllegalArgumentError(
    `${operation}: ${given} was given where a Task is needed: this executor runs tasks in workers ` +
      `(layerWorkerThreads, layerChildProcesses, the cluster), and code cannot cross to a worker; ${howToMakeATask}`
  )

/**
 * The defect of a value `submit` cannot run at all: neither a Task nor an Effect (a plain function, most often).
 *
 * @internal
 */
export const notSubmittable = (value: unknown): Cause.IllegalArgumentError =>
  new Cause.IllegalArgumentError(
    `Executor.submit: expected a Task and its input, or an Effect, got ${describeValue(value)}; for a plain ` +
      `function with its arguments on an in-process executor use Executor.runInExecutor(fn, ...args); for a worker, ${howToMakeATask}`
  )

/** A value as a message names it: `a function (double)`, `the number 3`. */
export const describeValue = (value: unknown): string => {
  if (typeof value === "function") return value.name ? `a function (${value.name})` : "a function"
  if (value === null || value === undefined) return String(value)
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value)})`
  const text = typeof value === "string" ? JSON.stringify(value) : String(value)
  return `the ${typeof value} ${text.length > 40 ? `${text.slice(0, 39)}…` : text}`
}
