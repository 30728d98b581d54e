/**
 * Node executors: a pool of worker threads and a pool of child processes, each a Layer that provides the
 * same `Executor` service as `Executor.layerFiber`, so a program moves its tasks off the main thread by
 * changing one Layer.
 *
 * @since 0.1.0
 */
import { Executor, type Task } from "@effect-futures/core"
import { executorName } from "@effect-futures/core/internal/stats"
import * as Validate from "@effect-futures/core/internal/validate"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { existsSync } from "node:fs"
import { availableParallelism } from "node:os"
import { fileURLToPath } from "node:url"
import type { ResourceLimits, Transferable } from "node:worker_threads"
import { executorOf, WorkerPool } from "./internal/pool.ts"
import { checkPoolOptions } from "./internal/poolOptions.ts"
import { transferRegistry } from "./internal/protocol.ts"
import { callerCodec } from "./internal/taskCodec.ts"
import { loadTasks, moduleHref, unknownTaskHint } from "./internal/taskModule.ts"
import { defaultEntry, spawnChild, spawnThread, type Spawn } from "./internal/transport.ts"

/**
 * The task module cannot be served: it failed to import (in the caller or in a worker), two of its
 * exports are tasks with the same name, the initializer is not one of its tasks, or its first worker
 * could not start. Building the Layer fails with it, instead of hanging.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeExecutor } from "@effect-futures/node"
 *
 * const program = Effect.void.pipe(
 *   Effect.provide(NodeExecutor.layerWorkerThreads({ module: new URL("./missing.tasks.ts", import.meta.url) })),
 *   Effect.catchTag("TaskModuleError", (error) => Effect.logError(error.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskModuleError extends Schema.TaggedError<TaskModuleError>()("TaskModuleError", {
  module: Schema.String,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/**
 * A task and its input, run once in each worker before its first task (Python's `initializer` and
 * `initargs`): core's `Executor.Initializer`, which `layerFiber` takes too.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Task } from "@effect-futures/core"
 * import { NodeExecutor } from "@effect-futures/node"
 *
 * // In the task module: each worker runs it once, before its first task.
 * export const configure = Task.make("configure", { payload: Schema.String, success: Schema.Void, run: () => Effect.void })
 *
 * const initializer: NodeExecutor.Initializer<string> = { task: configure, input: "production" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Initializer<I> = Executor.Initializer<I>

/**
 * Options both pools share.
 *
 * @example
 * ```ts
 * import { NodeExecutor } from "@effect-futures/node"
 *
 * // A normal close waits 10 s for the tasks, then interrupts them; a task still running 1 s later loses its worker.
 * const options: NodeExecutor.PoolOptions<never> = {
 *   module: new URL("./primes.tasks.ts", import.meta.url),
 *   shutdownTimeout: "10 seconds",
 *   interruptGracePeriod: "1 second"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PoolOptions<I> {
  /** The task module's URL (or a `file:` URL string, or a path): every worker imports it. */
  readonly module: URL | string
  /** At most this many workers (default: `os.availableParallelism()`, or `minWorkers` if that is more). */
  readonly maxWorkers?: number | undefined
  /** Run once in each worker before its first task; if it fails, the pool is broken. */
  readonly initializer?: Initializer<I> | undefined
  /** How long an interrupted task may take to stop before its worker is killed (default 2 seconds). */
  readonly interruptGracePeriod?: Duration.Input | undefined
  /**
   * How long a normal close of the Layer's scope waits for the tasks (default: as long as they take); then it
   * cancels the queued ones and interrupts the running ones, as an interruption of the close does.
   */
  readonly shutdownTimeout?: Duration.Input | undefined
  /**
   * A span for each task submitted from a fiber that has one, and the task's spans in its worker sent back to the
   * caller's tracer (default `true`); see `docs/observability.md`. Off, a task costs no more than it did
   * without tracing.
   */
  readonly tracing?: boolean | undefined
  /** At most this many queued tasks; `submit` then waits for room (default: unbounded). */
  readonly maxQueue?: number | undefined
  /**
   * How long a new worker may take to load the task module and run the initializer (default 60 seconds);
   * past it, the worker is killed and the pool is broken, as for a module that fails to load.
   */
  readonly startTimeout?: Duration.Input | undefined
  /**
   * The worker entry file each worker runs (a URL, a `file:` URL string or a path). By default the package's
   * own, found next to the module that spawns it; an app bundled into one folder ships the package's
   * `@effect-futures/node/workerEntry` as an entry of its own and points here at the output.
   */
  readonly workerEntry?: URL | string | undefined
  /**
   * The pool's name (Python's `thread_name_prefix`): each worker thread's name (`threadName`) or child's
   * process title, and the `executor_name` attribute of the pool's metrics. Default: the pool's kind and a
   * number counted in this process (`worker-threads-1`), so two pools never share a metric series.
   */
  readonly name?: string | undefined
  /**
   * The workers do not keep the process alive (Node's `unref`; default `false`): for a caller that keeps it
   * alive itself while it waits for results, so that a pool left open does not keep a finished program running.
   * `@effect-futures/promise`'s executors set it.
   */
  readonly unref?: boolean | undefined
}

/**
 * Options of {@link layerWorkerThreads}.
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerThreadsOptions<I = never> extends PoolOptions<I> {
  /** Workers started with the Layer and kept when idle (default 1). */
  readonly minWorkers?: number | undefined
  /** An idle worker above `minWorkers` exits after this long (default: never). */
  readonly idleTimeout?: Duration.Input | undefined
  /** A worker is replaced after this many tasks (default: never). */
  readonly maxTasksPerWorker?: number | undefined
  /** V8 heap limits of each worker thread; a worker that exceeds them dies and is replaced. */
  readonly resourceLimits?: ResourceLimits | undefined
}

/**
 * Options of {@link layerChildProcesses}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChildProcessesOptions<I = never> extends PoolOptions<I> {
  /** Children started with the Layer and kept (default 1). */
  readonly minWorkers?: number | undefined
  /** A child is replaced after this many tasks (default: never). */
  readonly maxTasksPerChild?: number | undefined
  /** Node options of each child (default: none, not the parent's). */
  readonly execArgv?: ReadonlyArray<string> | undefined
}

/**
 * A pool of `worker_threads` workers (for CPU-bound work; cheap messages, transferable buffers, one
 * process). Each worker imports the task module and runs one task at a time. Closing the Layer's scope
 * shuts the pool down and terminates every worker. A close that waits for a task that never ends is cut short
 * by an interruption (an `Effect.timeout` around the program, Ctrl-C under `runMain`) or by `shutdownTimeout`:
 * the tasks are interrupted, and their workers killed after `interruptGracePeriod`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 * import { NodeExecutor } from "@effect-futures/node"
 * import { countPrimes } from "./primes.tasks.ts"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(countPrimes, 1_000_000)
 *   return yield* Future.result(future)
 * }).pipe(Effect.provide(NodeExecutor.layerWorkerThreads({ module: new URL("./primes.tasks.ts", import.meta.url) })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWorkerThreads = <I = never>(
  options: WorkerThreadsOptions<I>
): Layer.Layer<Executor.Executor, TaskModuleError> =>
  make(
    "worker-threads",
    "NodeExecutor.layerWorkerThreads",
    (name) =>
      spawnThread({ entry: entryOf(options), name, resourceLimits: options.resourceLimits, unref: options.unref }),
    options
  )

/**
 * A pool of child processes started with `child_process.fork` (for work that needs its own process: a
 * separate heap, native code that may crash, `process.exit`). Values cross with Node's `advanced`
 * serialization. Closing the Layer's scope shuts the pool down; no child outlives it. A close that waits for
 * a task that never ends is cut short by an interruption or by `shutdownTimeout`, as in
 * {@link layerWorkerThreads}.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Executor } from "@effect-futures/core"
 * import { NodeExecutor } from "@effect-futures/node"
 * import { countPrimes } from "./primes.tasks.ts"
 *
 * const program = Executor.map(countPrimes, [100_000, 200_000]).pipe(
 *   Stream.runCollect,
 *   Effect.provide(NodeExecutor.layerChildProcesses({ module: new URL("./primes.tasks.ts", import.meta.url), maxWorkers: 2 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerChildProcesses = <I = never>(
  options: ChildProcessesOptions<I>
): Layer.Layer<Executor.Executor, TaskModuleError> =>
  make(
    "child-processes",
    "NodeExecutor.layerChildProcesses",
    (name) => spawnChild({ entry: entryOf(options), name, execArgv: options.execArgv, unref: options.unref }),
    options
  )

/**
 * Marks the objects a `Task.fromFunction` result should move, not copy, back from a worker thread;
 * returns the value itself. (Inputs are moved with `Executor.submit(task, input, { transfer })`.)
 *
 * @example
 * ```ts
 * import { Task } from "@effect-futures/core"
 * import { NodeExecutor } from "@effect-futures/node"
 *
 * export const fill = Task.fromFunction("fill", (size: number) => {
 *   const buffer = new ArrayBuffer(size)
 *   return NodeExecutor.transfer({ buffer }, [buffer])
 * })
 * ```
 *
 * @since 0.1.0
 * @category transferables
 */
export const transfer = <A extends object>(value: A, transferList: ReadonlyArray<Transferable>): A => {
  transferRegistry.set(value, transferList)
  return value
}

const entryOf = (options: { readonly workerEntry?: URL | string | undefined }): URL =>
  options.workerEntry === undefined ? defaultEntry : new URL(moduleHref(options.workerEntry))

/** A worker entry that is not there fails the Layer at once, rather than as each worker's failed start. */
const checkWorkerEntry = (entry: URL, href: string): Effect.Effect<void, TaskModuleError> =>
  entry.protocol !== "file:" || existsSync(entry)
    ? Effect.void
    : Effect.fail(
        new TaskModuleError({
          module: href,
          message:
            `the worker entry ${fileURLToPath(entry)} does not exist: a bundled app must ship ` +
            "@effect-futures/node/workerEntry as an entry point and pass its output as `workerEntry` (docs/bundling.md)"
        })
      )

const millis = (duration: Duration.Duration | undefined, fallback: number): number =>
  duration === undefined ? fallback : Duration.toMillis(duration)

const make = <I>(
  kind: "worker-threads" | "child-processes",
  layer: string,
  spawnFor: (name: string) => Spawn,
  options: PoolOptions<I>
): Layer.Layer<Executor.Executor, TaskModuleError> =>
  Layer.effect(Executor.Executor)(
    Effect.gen(function* () {
      const checked = yield* Validate.checked(() => checkPoolOptions(layer, options, kind))
      const { maxWorkers, minWorkers, maxTasksPerWorker, maxQueue } = checked
      const href = moduleHref(options.module)
      yield* checkWorkerEntry(entryOf(options), href)
      const name = executorName(kind, options.name)
      const startTimeout = millis(checked.startTimeout, 60_000)
      const taskNames = yield* loadTaskNames(href, startTimeout)
      const initializer =
        options.initializer === undefined ? undefined : yield* encodeInitializer(href, taskNames, options.initializer)
      const pool = new WorkerPool(
        {
          kind,
          name,
          spawn: spawnFor(name),
          moduleHref: href,
          taskNames,
          maxWorkers,
          minWorkers,
          idleTimeout: millis(checked.idleTimeout, Infinity),
          maxTasksPerWorker,
          initializer,
          interruptGracePeriod: millis(checked.interruptGracePeriod, 2000),
          maxQueue,
          closeTimeout: 2000,
          startTimeout,
          startLimit: availableParallelism(),
          tracing: options.tracing !== false
        },
        yield* Effect.context<never>()
      )
      yield* Effect.addFinalizer((exit) => pool.close(exit, checked.shutdownTimeout))
      // The first workers start with the Layer, so a module that a worker cannot load fails here.
      yield* pool
        .warmUp(minWorkers)
        .pipe(Effect.mapError((error) => new TaskModuleError({ module: href, message: error.message, cause: error })))
      return executorOf(pool, maxWorkers)
    })
  )

/** Imports the task module here too: its task names let `submit` reject unknown tasks at once. */
const loadTaskNames = (href: string, startTimeout: number): Effect.Effect<ReadonlySet<string>, TaskModuleError> =>
  loadTasks(href, startTimeout, (message, cause) => new TaskModuleError({ module: href, message, cause })).pipe(
    Effect.map((tasks) => new Set(tasks.keys()))
  )

const encodeInitializer = <I>(
  href: string,
  taskNames: ReadonlySet<string>,
  initializer: Initializer<I>
): Effect.Effect<{ readonly task: Task.Any; readonly payload: unknown }, TaskModuleError> => {
  if (!taskNames.has(initializer.task.name)) {
    return Effect.fail(
      new TaskModuleError({
        module: href,
        message:
          `the initializer "${initializer.task.name}" is not a task of the task module ${href}` +
          unknownTaskHint(initializer.task.name, taskNames)
      })
    )
  }
  const encoded = callerCodec(initializer.task).encodeInput(initializer.input)
  return encoded.ok
    ? Effect.succeed({ task: initializer.task, payload: encoded.value })
    : Effect.fail(
        new TaskModuleError({
          module: href,
          message: `the initializer's input cannot be encoded: ${encoded.message}`
        })
      )
}
