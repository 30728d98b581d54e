/**
 * The Promise executors' checks of what `submit`, `submitWith` and `map` are given: the easy mistakes of a
 * Python or JavaScript user (a plain function where a task is needed, options where an argument goes) are a
 * `TypeError` thrown at the call, naming the method, what was given and what to write instead, never a future
 * that fails later (or never, if nobody awaits it) with an error that says neither.
 *
 * A `TypeError`, as Python raises for an argument of the wrong kind (a non-callable to `submit`) and JavaScript
 * does for a wrong argument type; a wrong option is the options rule's `IllegalArgumentError` (core's
 * `internal/validate.ts`, Python's `ValueError`).
 *
 * @internal
 */
import { Task } from "@effect-futures/core"
import * as Validate from "@effect-futures/core/internal/validate"
import type * as Duration from "effect/Duration"

/** A value as a message names it: `a function (double)`, `a task ("square")`, `the number 3`. */
export const describeValue = (value: unknown): string => {
  if (typeof value === "function") return value.name ? `a function (${value.name})` : "a function"
  if (Task.isTask(value)) return `a task ("${value.name}")`
  if (value === null || value === undefined) return String(value)
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object"
  const text = typeof value === "string" ? JSON.stringify(value) : String(value)
  return `the ${typeof value} ${text.length > 40 ? `${text.slice(0, 39)}…` : text}`
}

/**
 * Throws unless `task` is a Task, for a worker executor's `submit` and `map`. A plain function is the likely
 * mistake (Python's `ThreadPoolExecutor.submit(fn, x)`), so its message shows how to make one a task.
 */
export const requireTask = (method: string, task: unknown): void => {
  if (Task.isTask(task)) return
  if (typeof task === "function") {
    throw new TypeError(
      `${method}: ${describeValue(task)} was given where a task is needed: a worker runs the tasks of its task ` +
        "module, and a function cannot cross to a worker. Define it in the task module with defineTask " +
        '(`export const double = defineTask("double", (x) => x * 2)`, or Task.fromFunction / Task.make of ' +
        "@effect-futures/core), and submit the task: `executor.submit(double, 3)`. For async functions in this " +
        "process, use AsyncPoolExecutor."
    )
  }
  throw new TypeError(
    `${method}: expected a task (made with defineTask in the executor's task module), got ${describeValue(task)}`
  )
}

/** Throws unless `fn` is a function, for `AsyncPoolExecutor`'s `submit`, `submitWith` and `map`. */
export const requireFunction = (method: string, fn: unknown): void => {
  if (typeof fn === "function") return
  const hint = Task.isTask(fn) ? "; tasks run on a ThreadPoolExecutor or a ProcessPoolExecutor" : ""
  throw new TypeError(`${method}: expected a function, got ${describeValue(fn)}${hint}`)
}

/**
 * `submitWith`'s options, checked by the options rule (`IllegalArgumentError` naming the option and the value:
 * an unknown key, with the one it most likely meant; a `timeout` that is not a duration; a `signal` that is not
 * an `AbortSignal`). A function given first (`submitWith(fn, …)`) is the wrong argument, a `TypeError`.
 */
export const readSubmitOptions = (
  method: string,
  options: unknown
): { readonly signal: AbortSignal | undefined; readonly timeout: Duration.Duration | undefined } => {
  if (typeof options === "function") {
    throw new TypeError(
      `${method}: the first argument is the options ({ signal, timeout }), got ${describeValue(options)}; to call ` +
        "a function with its arguments only, use submit(fn, ...args)"
    )
  }
  const checked = Validate.readOptions(method, options, ["signal", "timeout"])
  Validate.must(checked, "signal", (signal) => signal instanceof AbortSignal, "an AbortSignal")
  return {
    signal: checked.values["signal"] as AbortSignal | undefined,
    timeout: Validate.duration(checked, "timeout")
  }
}

/**
 * A worker executor's `submit(task, input, options)`. A task takes one input, so more arguments, or options that
 * are not an object, are Python's `submit(fn, *args)` (`submit(add, 1, 2)`): a `TypeError` saying to pass one
 * input, never an argument dropped in silence. An unknown option is the options rule's error.
 */
export const checkTaskSubmit = (method: string, options: unknown, argumentCount: number): void => {
  const notOptions =
    options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))
  if (argumentCount > 3 || notOptions) {
    throw new TypeError(
      `${method}: a task takes one input, and the argument after it is the options ({ timeout, retry, id, ` +
        `transfer, signal }), got ${argumentCount - 1} arguments after the task (${describeValue(options)} as ` +
        "the options). Pass several values as one input, an array or an object: `submit(add, [1, 2])`"
    )
  }
  if (options !== undefined) Validate.readOptions(method, options, ["timeout", "retry", "id", "transfer", "signal"])
}
