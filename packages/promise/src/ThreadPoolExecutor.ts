/**
 * `ThreadPoolExecutor`: tasks on a pool of Node worker threads, from code that does not use Effect.
 *
 * @since 0.1.0
 */
import { NodeExecutor } from "@effect-futures/node"
import { checkPoolOptions } from "@effect-futures/node/internal/poolOptions"
import { TaskExecutor } from "./internal/taskExecutor.ts"

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  TaskSubmitOptions,
  /**
   * @since 0.1.0
   * @category models
   */
  WorkerError
} from "./internal/taskExecutor.ts"

/**
 * Options of the {@link ThreadPoolExecutor}: those of `NodeExecutor.layerWorkerThreads`. `module` is the task
 * module every worker imports (a URL, a `file:` URL string or a path).
 *
 * @since 0.1.0
 * @category models
 */
export type ThreadPoolOptions = Omit<NodeExecutor.WorkerThreadsOptions<any>, "unref">

/**
 * Python's `ThreadPoolExecutor` for CPU-bound JavaScript: tasks from a task module run on a pool of worker
 * threads (`NodeExecutor.layerWorkerThreads`, one Effect runtime per executor). The pool starts in the
 * constructor; `await executor.ready` to see it ready or why it cannot start, or just submit: tasks submitted
 * before it is ready wait for it. An executor dropped without `shutdown()` does not keep the process alive
 * (its workers are unref'd; a pending future does keep it alive) and is shut down when garbage collected.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor } from "@effect-futures/promise"
 * import { fibonacci } from "./fibonacci.tasks.ts"
 *
 * await using executor = new ThreadPoolExecutor({ module: new URL("./fibonacci.tasks.ts", import.meta.url), maxWorkers: 2 })
 * const future = executor.submit(fibonacci, 30)
 * console.log(await future.result()) // 832040
 * for await (const n of executor.map(fibonacci, [10, 20, 30])) console.log(n) // 55, 6765, 832040
 * ```
 *
 * @since 0.1.0
 * @category executors
 */
export class ThreadPoolExecutor extends TaskExecutor {
  constructor(options: ThreadPoolOptions) {
    // A wrong option throws here, named as the user wrote it (Python's constructors raise `ValueError`).
    checkPoolOptions("ThreadPoolExecutor", options, "worker-threads", ["unref"])
    super(NodeExecutor.layerWorkerThreads({ ...options, unref: true }))
  }
}
