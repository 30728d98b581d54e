/**
 * The one rule for options, shared by every executor Layer (core's, the Node pools', the cluster's, the test
 * executor's), the Promise executors' constructors and every `timeout` a combinator takes (docs/concepts.md,
 * "Options are checked"): a wrong option is a defect, Effect's `IllegalArgumentError`, whose message says where
 * (the Layer or function), which option and the value given:
 *
 *   `NodeExecutor.layerWorkerThreads: minWorkers must be at most maxWorkers (2), got 5`
 *
 * A wrong option is a mistake in the program, not a condition to handle, so it is a defect as Python's
 * `ValueError` is: no error type grows for it. The checks throw; a Layer runs them in {@link checked}, so the
 * throw is the Layer's defect before it starts anything, and a Promise executor's constructor lets it through.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { isTask } from "../Task.ts"
import { editDistance } from "./closestName.ts"

/**
 * The options of one Layer or constructor, after their keys were checked.
 *
 * @internal
 */
export interface Options {
  /** Where they were given, as the user wrote it: `NodeExecutor.layerWorkerThreads`. */
  readonly where: string
  readonly values: Readonly<Record<string, unknown>>
}

/**
 * Runs the checks of a Layer's options: a wrong one is the Layer's defect, before anything starts.
 *
 * @internal
 */
export const checked = <A>(check: () => A): Effect.Effect<A> => Effect.sync(check)

/**
 * The error of a wrong option: `where: option must be …, got value`.
 *
 * @internal
 */
export const illegalOption = (
  where: string,
  option: string,
  must: string,
  value: unknown
): Cause.IllegalArgumentError =>
  new Cause.IllegalArgumentError(`${where}: ${option} must be ${must}, got ${show(value)}`)

const fail = (options: Options, option: string, must: string): never => {
  throw illegalOption(options.where, option, must, options.values[option])
}

/**
 * Reads an options object: `undefined` is no options; anything else must be an object whose keys are all
 * `known`. An unknown key is most often a typo (`maxWorker`, `minworkers`), so it is named, with the known key
 * closest to it.
 *
 * @internal
 */
export const readOptions = (where: string, input: unknown, known: ReadonlyArray<string>): Options => {
  if (input === undefined) return { where, values: {} }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new Cause.IllegalArgumentError(`${where}: the options must be an object, got ${show(input)}`)
  }
  for (const key of Object.keys(input)) {
    if (known.includes(key)) continue
    const closest = closestKey(key, known)
    throw new Cause.IllegalArgumentError(
      `${where}: ${key} is not an option` +
        (closest === undefined ? ` (the options are ${known.join(", ")})` : ` (did you mean ${closest}?)`) +
        `, got ${key}: ${show((input as Record<string, unknown>)[key])}`
    )
  }
  return { where, values: input as Record<string, unknown> }
}

/**
 * A count of at least `min` (default 1): a safe integer, or `Infinity` where `infinite` allows it (no limit).
 *
 * @internal
 */
export const count = (
  options: Options,
  option: string,
  fallback: number,
  bounds?: { readonly min?: number | undefined; readonly infinite?: boolean | undefined }
): number => {
  const value = options.values[option]
  if (value === undefined) return fallback
  const min = bounds?.min ?? 1
  const infinite = bounds?.infinite === true
  if (
    typeof value === "number" &&
    ((infinite && value === Infinity) || (Number.isSafeInteger(value) && value >= min))
  ) {
    return value
  }
  const what = min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : `an integer of at least ${min}`
  return fail(options, option, infinite ? `${what} or Infinity` : what)
}

/**
 * A duration option (`Duration.Input`); `undefined` when not given. `min: 0` refuses negative durations,
 * `min: "positive"` zero too.
 *
 * @internal
 */
export const duration = (
  options: Options,
  option: string,
  bounds?: { readonly min?: 0 | "positive" | undefined; readonly timer?: "finite" | "or infinite" | undefined }
): Duration.Duration | undefined => {
  const value = options.values[option]
  if (value === undefined) return undefined
  const decoded = decodeDuration(value)
  if (decoded === undefined) return fail(options, option, "a duration")
  if (bounds?.min === 0 && Duration.isNegative(decoded)) return fail(options, option, "a duration of at least 0")
  if (bounds?.min === "positive" && !Duration.isPositive(decoded)) return fail(options, option, "a positive duration")
  // A platform timer (setTimeout) longer than this fires at once: refused rather than kept as a surprise.
  if (bounds?.timer !== undefined && Duration.toMillis(decoded) > maxTimerMillis) {
    if (bounds.timer === "or infinite" && !Duration.isFinite(decoded)) return decoded
    const infinite = bounds.timer === "or infinite" ? ", or Infinity for none" : ""
    return fail(options, option, `at most ${maxTimerMillis} ms (the longest timer, about 24.8 days)${infinite}`)
  }
  return decoded
}

/**
 * The longest delay a platform timer (`setTimeout`) keeps, 2^31 - 1 ms: a longer one fires after 1 ms.
 *
 * @internal
 */
export const maxTimerMillis = 2 ** 31 - 1

/**
 * A boolean option; `undefined` when not given (a string `"false"` would otherwise read as true).
 *
 * @internal
 */
export const boolean = (options: Options, option: string): boolean | undefined => {
  const value = options.values[option]
  return value === undefined || typeof value === "boolean" ? value : fail(options, option, "true or false")
}

/**
 * A string option; `undefined` when not given.
 *
 * @internal
 */
export const string = (options: Options, option: string): string | undefined => {
  const value = options.values[option]
  return value === undefined || typeof value === "string" ? value : fail(options, option, "a string")
}

/**
 * One of a few literal values; `undefined` when not given.
 *
 * @internal
 */
export const literal = <const L extends string>(
  options: Options,
  option: string,
  choices: ReadonlyArray<L>
): L | undefined => {
  const value = options.values[option]
  return value === undefined || choices.includes(value as L)
    ? (value as L | undefined)
    : fail(options, option, `one of ${choices.map((choice) => JSON.stringify(choice)).join(", ")}`)
}

/**
 * Any other rule of one option, when it is given: `holds`, else the error that says what it must be.
 *
 * @internal
 */
export const must = (options: Options, option: string, holds: (value: unknown) => boolean, what: string): void => {
  const value = options.values[option]
  if (value !== undefined && !holds(value)) fail(options, option, what)
}

/**
 * An option that must be given: `what` it is.
 *
 * @internal
 */
export const required = (options: Options, option: string, what: string): void => {
  if (options.values[option] === undefined) fail(options, option, `given (${what})`)
}

/**
 * An `initializer` option: `{ task, input }`, with a `Task` (a plain function cannot run in a worker).
 *
 * @internal
 */
export const initializer = (options: Options): void =>
  must(
    options,
    "initializer",
    (value) => typeof value === "object" && value !== null && isTask((value as { task?: unknown }).task),
    "{ task, input } with a Task (Task.make or Task.fromFunction)"
  )

/**
 * A `timeout` given to a function (`Future.result`, `Executor.map`, `submit`): the error naming it when it is
 * not a duration, else `undefined`. Only its form is checked: what a timeout ≤ 0 means is the function's rule.
 *
 * @internal
 */
export const invalidTimeout = (where: string, timeout: unknown): Cause.IllegalArgumentError | undefined =>
  decodeDuration(timeout) === undefined ? illegalOption(where, "timeout", "a duration", timeout) : undefined

/**
 * `Duration.fromInput`, without the inputs it reads as zero that are most often mistakes: `NaN`, a tuple with
 * `NaN`, and an object with keys that are not a duration's (`{ second: 2 }`, `{}`).
 *
 * @internal
 */
export const decodeDuration = (input: unknown): Duration.Duration | undefined => {
  if (typeof input === "number" && Number.isNaN(input)) return undefined
  if (typeof input === "object" && input !== null && !Duration.isDuration(input)) {
    if (Array.isArray(input)) {
      if (input.length !== 2 || !input.every((n) => typeof n === "number" && !Number.isNaN(n))) return undefined
    } else {
      const entries = Object.entries(input)
      if (entries.length === 0) return undefined
      for (const [key, value] of entries) {
        if (
          !durationKeys.includes(key) ||
          (value !== undefined && (typeof value !== "number" || Number.isNaN(value)))
        ) {
          return undefined
        }
      }
    }
  }
  const decoded = Duration.fromInput(input as Duration.Input)
  return decoded._tag === "Some" ? decoded.value : undefined
}

const durationKeys: ReadonlyArray<string> = [
  "weeks",
  "days",
  "hours",
  "minutes",
  "seconds",
  "milliseconds",
  "microseconds",
  "nanoseconds"
]

/**
 * A value as the message shows it: strings as written (`got 2 secs`), functions and tasks by name, structures
 * as JSON (a function inside one by name too), cut at 200 characters: a message never carries a whole input.
 */
const show = (value: unknown): string => {
  const text = showWhole(value)
  return text.length <= 200 ? text : `${text.slice(0, 199)}…`
}

const showWhole = (value: unknown): string => {
  if (typeof value === "string") return value === "" ? '""' : value
  if (typeof value === "function") return value.name ? `a function (${value.name})` : "a function"
  if (isTask(value)) return `a task ("${value.name}")`
  if (typeof value === "object" && value !== null && !(value instanceof URL) && !Duration.isDuration(value)) {
    try {
      return JSON.stringify(value, (_key, inner) =>
        typeof inner === "function"
          ? `[function ${inner.name || "anonymous"}]`
          : isTask(inner)
            ? `[task ${inner.name}]`
            : inner
      )
    } catch {
      return String(value)
    }
  }
  return String(value)
}

/** The known key a typo most likely meant: the same but for case, or at most two edits away. */
const closestKey = (key: string, known: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined = undefined
  let bestDistance = 3
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}
