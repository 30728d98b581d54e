/**
 * The options of the worker pools (`layerWorkerThreads`, `layerChildProcesses`), checked with core's rule.
 *
 * @internal
 */
import * as Validate from "@effect-futures/core/internal/validate"
import { availableParallelism } from "node:os"

const poolOptionKeys = [
  "module",
  "maxWorkers",
  "minWorkers",
  "initializer",
  "interruptGracePeriod",
  "shutdownTimeout",
  "tracing",
  "maxQueue",
  "startTimeout",
  "workerEntry",
  "name",
  "unref"
]
const threadOptionKeys = [...poolOptionKeys, "idleTimeout", "maxTasksPerWorker", "resourceLimits"]
const childOptionKeys = [...poolOptionKeys, "maxTasksPerChild", "execArgv"]

const isModuleInput = (value: unknown) => typeof value === "string" || value instanceof URL

/**
 * A pool's options, each checked before anything starts (docs/concepts.md, "Options are checked"): by the Layers,
 * and by the Promise executors' constructors, which name themselves as `where` and leave out what they set.
 *
 * @internal
 */
export const checkPoolOptions = (
  where: string,
  input: unknown,
  kind: "worker-threads" | "child-processes",
  exclude: ReadonlyArray<string> = []
) => {
  const threads = kind === "worker-threads"
  const known = (threads ? threadOptionKeys : childOptionKeys).filter((key) => !exclude.includes(key))
  const options = Validate.readOptions(where, input, known)
  Validate.required(options, "module", "the task module's URL")
  Validate.must(options, "module", isModuleInput, "a URL, a file: URL string or a path")
  Validate.must(options, "workerEntry", isModuleInput, "a URL, a file: URL string or a path")
  Validate.initializer(options)
  Validate.boolean(options, "tracing")
  Validate.boolean(options, "unref")
  Validate.string(options, "name")
  const minWorkers = Validate.count(options, "minWorkers", 1, { min: 0 })
  // Left out, maxWorkers is the machine's; then minWorkers asked for more workers, which it gets.
  const maxWorkers =
    options.values.maxWorkers === undefined
      ? Math.max(availableParallelism(), minWorkers)
      : Validate.count(options, "maxWorkers", 1)
  Validate.must(options, "minWorkers", (value) => (value as number) <= maxWorkers, `at most maxWorkers (${maxWorkers})`)
  const maxTasks = threads ? "maxTasksPerWorker" : "maxTasksPerChild"
  if (threads) {
    Validate.must(
      options,
      "resourceLimits",
      (value) => typeof value === "object" && value !== null,
      "an object of V8 heap limits"
    )
  } else {
    Validate.must(
      options,
      "execArgv",
      (value) => Array.isArray(value) && value.every((arg) => typeof arg === "string"),
      "an array of strings"
    )
  }
  return {
    maxWorkers,
    minWorkers: Math.min(minWorkers, maxWorkers),
    maxTasksPerWorker: Validate.count(options, maxTasks, Infinity, { infinite: true }),
    maxQueue: Validate.count(options, "maxQueue", Infinity, { infinite: true }),
    interruptGracePeriod: Validate.duration(options, "interruptGracePeriod", { min: 0, timer: "finite" }),
    shutdownTimeout: Validate.duration(options, "shutdownTimeout", { min: 0 }),
    startTimeout: Validate.duration(options, "startTimeout", { min: "positive", timer: "finite" }),
    idleTimeout: threads ? Validate.duration(options, "idleTimeout", { min: 0, timer: "or infinite" }) : undefined
  }
}
