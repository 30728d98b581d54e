/**
 * `ProcessPoolExecutor`: tasks on a pool of Node child processes, from code that does not use Effect.
 *
 * @since 0.1.0
 */
import { NodeExecutor } from "@effect-futures/node"
import { checkPoolOptions } from "@effect-futures/node/internal/poolOptions"
import { TaskExecutor } from "./internal/taskExecutor.ts"

/**
 * Options of the {@link ProcessPoolExecutor}: those of `NodeExecutor.layerChildProcesses`. `module` is the task
 * module every child imports (a URL, a `file:` URL string or a path).
 *
 * @since 0.1.0
 * @category models
 */
export type ProcessPoolOptions = Omit<NodeExecutor.ChildProcessesOptions<any>, "unref">

/**
 * Python's `ProcessPoolExecutor`: tasks from a task module run in a pool of child processes
 * (`NodeExecutor.layerChildProcesses`, one Effect runtime per executor); values cross by Node's `advanced`
 * serialization. Starts, fails and is cleaned up as the {@link ThreadPoolExecutor} is: the pool starts in the
 * constructor (`ready` says when, or why not), idle children do not keep the process alive, and a dropped
 * executor is shut down when garbage collected.
 *
 * @example
 * ```ts
 * import { ProcessPoolExecutor } from "@effect-futures/promise"
 * import { fibonacci } from "./fibonacci.tasks.ts"
 *
 * await using executor = new ProcessPoolExecutor({ module: new URL("./fibonacci.tasks.ts", import.meta.url), maxWorkers: 2 })
 * console.log(await executor.submit(fibonacci, 25).result()) // 75025
 * ```
 *
 * @since 0.1.0
 * @category executors
 */
export class ProcessPoolExecutor extends TaskExecutor {
  constructor(options: ProcessPoolOptions) {
    // A wrong option throws here, named as the user wrote it (Python's constructors raise `ValueError`).
    checkPoolOptions("ProcessPoolExecutor", options, "child-processes", ["unref"])
    super(NodeExecutor.layerChildProcesses({ ...options, unref: true }))
  }
}
