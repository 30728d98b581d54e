/**
 * The `Executor` service: submit tasks, map over inputs, shut down. One service, many Layers — switching
 * from the in-process fiber pool to a worker-thread or child-process pool is one Layer.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { Future } from "./Future.ts"
import {
  type CancelledError,
  ExecutorShutdownError,
  NoWorkersError,
  type TaskBoundaryError,
  type TaskEncodeError,
  type TaskError,
  TimeoutError
} from "./FutureError.ts"
import { directSubmitOf, submitDirect } from "./internal/directSubmit.ts"
import { fiberExecutor, fiberLocalExecutor } from "./internal/fiberExecutor.ts"
import { startInitializer } from "./internal/fiberInitializer.ts"
import { FiberPool } from "./internal/fiberPool.ts"
import * as Lifecycle from "./internal/lifecycle.ts"
import { mapChunksInOrder, mapFunction, mapInOrder, Submitting } from "./internal/mapStream.ts"
import { type ExecutorStats, executorName } from "./internal/stats.ts"
import { callPlainFunction, closureOnTaskExecutor, notSubmittable } from "./internal/plainFunction.ts"
import { awaitSubmitted } from "./internal/runInExecutor.ts"
import { type Policy, retryOptions, submitRetrying } from "./internal/retry.ts"
import * as Validate from "./internal/validate.ts"
import { zipIterables } from "./internal/zip.ts"
import * as Task from "./Task.ts"

export type {
  /**
   * A snapshot of an executor's counters: `maxWorkers`, `workers` alive, `busy` ones, `queued` tasks, and
   * how many tasks `completed`, `failed` and were `cancelled`.
   *
   * @since 0.1.0
   * @category models
   */
  ExecutorStats as Stats
}

/**
 * Options of {@link shutdown}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShutdownOptions {
  /** Wait for running and queued tasks to end (default `true`). */
  readonly wait?: boolean | undefined
  /** Cancel the queued tasks first (default `false`). */
  readonly cancelFutures?: boolean | undefined
}

/**
 * An object that a worker-thread executor moves to the worker instead of copying it: an `ArrayBuffer`, a
 * `MessagePort`, and whatever else the platform can transfer. Declared here so that core's signatures need
 * neither the DOM's types nor Node's; a value the platform cannot move fails the submit with
 * `TaskEncodeError`.
 *
 * @example
 * ```ts
 * import type { Executor } from "@effect-futures/core"
 *
 * const buffer = new ArrayBuffer(1024)
 * const transfer: ReadonlyArray<Executor.Transferable> = [buffer]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Transferable = object

/**
 * How a failed task is submitted again (`SubmitOptions.retry`): Effect's retry policy, a `Schedule` or
 * `Effect.retry`'s options (`times`, `schedule`, `while`, `until`). Without `while` / `until` only
 * `BrokenExecutorError` (a worker that crashed under the task) is retried: a task's own typed errors are its
 * answer unless you say otherwise.
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import type { Executor } from "@effect-futures/core"
 *
 * // Up to 3 more attempts after a crash, 100 ms apart, then 200 ms, 400 ms.
 * const afterCrashes: Executor.RetryPolicy<unknown> = { schedule: Schedule.exponential("100 millis"), times: 3 }
 * // Any failure, at most twice more.
 * const anyFailure: Executor.RetryPolicy<unknown> = { times: 2, while: () => true }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy<E> = Policy<E>

/**
 * Options of submitting one task.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubmitOptions<E = unknown> {
  /** Objects to move, not copy, to a worker thread (`Task.fromFunction` tasks). */
  readonly transfer?: ReadonlyArray<Transferable> | undefined
  /**
   * A deadline, counted from the task's start (each attempt's, with `retry`): then the future fails with
   * `TimeoutError`, whatever the task is doing, and a result that comes later is dropped. The task is
   * interrupted where it runs, in its worker too (finalizers run there), and a worker stuck in synchronous code is
   * killed after the pool's `interruptGracePeriod`; its slot stays taken until then. `≤ 0`: `TimeoutError` at
   * once. Unlike `Future.result`'s `timeout`, which only stops waiting.
   *
   * @since 0.1.0
   */
  readonly timeout?: Duration.Input | undefined
  /**
   * Submit again when an attempt fails, by this policy; see {@link RetryPolicy}. The future stays `running`
   * from the first attempt's start until the last attempt ends, and ends as that one did. Every attempt is sent a
   * copy of the input: `transfer` is ignored (a moved buffer would be gone for the next attempt), and fields a
   * task's schema marks transferable are moved by the first attempt, so do not retry such a task.
   *
   * @since 0.1.0
   */
  readonly retry?: RetryPolicy<E> | undefined
  /**
   * The task's idempotency key: in its span (`task.id`) and its timeout's error. The cluster executor runs a
   * task once per id.
   *
   * @since 0.1.0
   */
  readonly id?: string | undefined
}

/**
 * What every executor provides. Programs use {@link submit} and {@link map}; executor authors implement
 * these members.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Executor, Future, Task } from "@effect-futures/core"
 *
 * const double = Task.make("double", { payload: Schema.Number, success: Schema.Number, run: (n) => Effect.succeed(2 * n) })
 *
 * const program = Effect.gen(function*() {
 *   const executor = yield* Executor.Executor
 *   // One unit of work for three inputs: its value is each input's Exit, in order.
 *   const chunk = yield* executor.submitChunk!(double, [1, 2, 3])
 *   return yield* Future.result(chunk)
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ExecutorShape {
  readonly maxWorkers: number
  /**
   * Submits a task. The options' `timeout` and `id` are the executor's to honour (the shared lifecycle does it);
   * `retry` never reaches it: `Executor.submit` submits each attempt.
   */
  readonly submitTask: <I, A, E>(
    task: Task.Task<I, A, E>,
    input: I,
    options?: SubmitOptions
  ) => Effect.Effect<Future<A, E | TaskBoundaryError | TimeoutError>, ExecutorShutdownError | TaskEncodeError>
  /**
   * Submits one unit of work that runs the task over each input, one after another, in one worker (Python's
   * `map(chunksize=)` work item). Its future's value is every input's `Exit`, in order, up to and including
   * the first failure (the rest do not run); the future itself fails only with a boundary error (a crash of
   * its worker) or ends cancelled. `Executor.map` uses it when `chunkSize` is above 1. Optional, beside the
   * contract: without it, `map` submits each input on its own whatever the `chunkSize`. `layerFiber` and the
   * node pools provide it.
   *
   * @since 0.1.0
   */
  readonly submitChunk?: <I, A, E>(
    task: Task.Task<I, A, E>,
    inputs: ReadonlyArray<I>
  ) => Effect.Effect<
    Future<ReadonlyArray<Exit.Exit<A, E | TaskBoundaryError>>, TaskBoundaryError>,
    ExecutorShutdownError | TaskEncodeError
  >
  readonly shutdown: (options?: ShutdownOptions) => Effect.Effect<void>
  readonly stats: Effect.Effect<ExecutorStats>
  /**
   * Done once the executor takes no more submits (shut down, or its scope closing). A retried task waiting for
   * its next attempt ends then, with its last attempt's exit, instead of waiting out its backoff to find the
   * executor shut down. Optional; every executor of this repo has it.
   *
   * @since 0.1.0
   */
  readonly whenShutdown?: Effect.Effect<void> | undefined
  /**
   * Stops the executor now (Python 3.14's `terminate_workers` / `kill_workers`): shuts it down, cancels the
   * queued tasks, signals every live worker (`"terminate"`: SIGTERM, `"kill"`: SIGKILL), and returns once they
   * are gone and every future has ended; the tasks that were running fail with `BrokenExecutorError`. Optional:
   * only executors with workers have it; without it, {@link terminateWorkers} and {@link killWorkers} fail with
   * `NoWorkersError`. The node pools provide it.
   *
   * @since 0.1.0
   */
  readonly forceShutdown?: ((operation: ForceShutdownOperation) => Effect.Effect<void>) | undefined
}

/**
 * How {@link ExecutorShape.forceShutdown} stops the workers: `"terminate"` asks them to end now (SIGTERM), `"kill"`
 * ends them (SIGKILL).
 *
 * @example
 * ```ts
 * import type { Executor } from "@effect-futures/core"
 *
 * const operation: Executor.ForceShutdownOperation = "kill"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ForceShutdownOperation = "terminate" | "kill"

/**
 * A task and its input that an executor runs before its first task (Python's `initializer` and `initargs`):
 * once in each worker of the node pools, once for the in-process fiber pool, whose workers share one heap. If
 * it fails, the executor is broken: its futures fail with `BrokenExecutorError` carrying the initializer's
 * error.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Executor, Task } from "@effect-futures/core"
 *
 * const configure = Task.make("configure", { payload: Schema.String, success: Schema.Void, run: () => Effect.void })
 * const initializer: Executor.Initializer<string> = { task: configure, input: "production" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Initializer<I> {
  readonly task: Task.Task<I, unknown, unknown>
  readonly input: NoInfer<I>
}

/**
 * The executor service that every executor Layer provides: tasks (`Task.make`, `Task.fromFunction`) can be
 * submitted to any of them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const executor = yield* Executor.Executor
 *   return executor.maxWorkers // 4
 * }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 4 })))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class Executor extends Context.Service<Executor, ExecutorShape>()("@effect-futures/core/Executor") {}

/**
 * What in-process executors also provide: running any Effect, closures included.
 *
 * @since 0.1.0
 * @category models
 */
export interface LocalExecutorShape {
  readonly submit: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<Future<A, E>, ExecutorShutdownError>
}

/**
 * The service of in-process executors (`layerFiber`). `submit(effect)` and `map(fn, …)` need it, so a
 * program that submits closures to a worker pool does not type-check (from JavaScript, or past a cast, it dies
 * with an `IllegalArgumentError` that says to define a `Task` in the task module instead).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 *
 * // Effect<Future<number>, ExecutorShutdownError, LocalExecutor>
 * const submitted = Executor.submit(Effect.succeed(1))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class LocalExecutor extends Context.Service<LocalExecutor, LocalExecutorShape>()(
  "@effect-futures/core/LocalExecutor"
) {}

/**
 * Submits work and returns its future at once. A `Task` and its input go to any executor; an Effect (a
 * closure) only to an in-process one, and keeps the services of the fiber that submits it.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Executor, Future, Task } from "@effect-futures/core"
 *
 * const double = Task.make("double", { payload: Schema.Number, success: Schema.Number, run: (n) => Effect.succeed(2 * n) })
 *
 * const program = Effect.gen(function*() {
 *   const fromTask = yield* Executor.submit(double, 21)
 *   const fromEffect = yield* Executor.submit(Effect.succeed("hello"))
 *   return [yield* Future.result(fromTask), yield* Future.result(fromEffect)] as const
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category submitting
 */
export const submit: {
  <I, A, E>(
    task: Task.Task<I, A, E>,
    input: I,
    options?: SubmitOptions<E | TaskBoundaryError> & { readonly timeout?: undefined }
  ): Effect.Effect<Future<A, E | TaskBoundaryError>, ExecutorShutdownError | TaskEncodeError, Executor>
  <I, A, E>(
    task: Task.Task<I, A, E>,
    input: I,
    options: SubmitOptions<E | TaskBoundaryError | TimeoutError>
  ): Effect.Effect<Future<A, E | TaskBoundaryError | TimeoutError>, ExecutorShutdownError | TaskEncodeError, Executor>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Future<A, E>, ExecutorShutdownError, LocalExecutor | R>
} = ((taskOrEffect: Task.Any | Effect.Effect<unknown, unknown, unknown>, input?: unknown, options?: SubmitOptions) =>
  Task.isTask(taskOrEffect)
    ? Executor.use((executor) => submitTaskWith(executor, taskOrEffect, input, options))
    : Effect.isEffect(taskOrEffect)
      ? submitEffect(taskOrEffect, "Executor.submit", "an Effect")
      : Effect.die(notSubmittable(taskOrEffect))) as any

/** A task's submit with its options: a retried one submits attempt after attempt; a bad timeout is a defect. */
const submitTaskWith = (
  executor: ExecutorShape,
  task: Task.Any,
  input: unknown,
  options: SubmitOptions | undefined
): Effect.Effect<Future<unknown, unknown>, ExecutorShutdownError | TaskEncodeError> => {
  if (options === undefined) return executor.submitTask(task, input)
  const invalid = invalidSubmitOptions(options)
  if (invalid !== undefined) return Effect.die(invalid)
  const policy = options.retry
  if (policy === undefined) return executor.submitTask(task, input, options)
  return Effect.withFiber((fiber) =>
    submitRetrying(executor.submitTask as any, task, input, options, policy, fiber.context, executor.whenShutdown)
  ) as any
}

const submitOptionKeys = ["transfer", "timeout", "retry", "id"]

/** A submit's options as the options rule reads them: an unknown key (a typo of `timeout`, say), a bad timeout. */
const invalidSubmitOptions = (options: SubmitOptions): Cause.IllegalArgumentError | undefined => {
  try {
    Validate.readOptions("Executor.submit", options, submitOptionKeys)
  } catch (error) {
    return error as Cause.IllegalArgumentError
  }
  return options.timeout === undefined ? undefined : Validate.invalidTimeout("Executor.submit", options.timeout)
}

/** An Effect on the in-process executor; on one that runs only Tasks, a defect that says what to do instead. */
const submitEffect = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  operation: string,
  given: "an Effect" | "a function"
): Effect.Effect<Future<A, E>, ExecutorShutdownError, LocalExecutor | R> =>
  Effect.withFiber((fiber) => {
    const local = Context.getOrUndefined(fiber.context as Context.Context<LocalExecutor>, LocalExecutor)
    if (local === undefined) return Effect.die(closureOnTaskExecutor(operation, given))
    const direct = directSubmitOf(local)
    // Directly, the pool runs the task's fiber with these services itself: no provideContext around each task.
    return direct !== undefined
      ? submitDirect(direct, effect as Effect.Effect<A, E>, fiber.context)
      : local.submit(Effect.provideContext(effect, fiber.context as Context.Context<R>))
  })

/**
 * Options of {@link map}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapOptions {
  /** Counted from when the stream starts; the stream then fails with `TimeoutError`. */
  readonly timeout?: Duration.Input | undefined
  /**
   * At most this many tasks (with `chunkSize`, chunks) in flight; inputs are pulled lazily. Default: twice the
   * executor's workers.
   */
  readonly buffer?: number | undefined
  /**
   * Inputs per unit of work (Python's `chunksize`; default 1). Above 1, with a `Task`, each chunk of this many
   * inputs is submitted as one unit that a worker runs in order and answers once: far fewer messages for
   * many small tasks. Results still stream one by one, in order; the first failure fails the stream after
   * every result before it. Ignored for a plain function.
   */
  readonly chunkSize?: number | undefined
  /**
   * Each task's own `timeout` (`SubmitOptions.timeout`: the task is stopped, counted from its start, and the
   * stream fails with its `TimeoutError`). Named apart from `timeout`, which is Python's: the whole stream's.
   * With `taskTimeout` or `retry`, each input is its own unit of work whatever the `chunkSize`.
   *
   * @since 0.1.0
   */
  readonly taskTimeout?: Duration.Input | undefined
  /**
   * Each task's retry policy (`SubmitOptions.retry`): by default only `BrokenExecutorError` is retried. For a
   * plain function on an in-process executor each task is retried in its own fiber by `Effect.retry` (no worker
   * can crash there, so say which errors to retry with `while` / `until`). The policy's error type is not
   * inferred here: `while` / `until` get `any`.
   *
   * @since 0.1.0
   */
  readonly retry?: RetryPolicy<any> | undefined
}

/**
 * Runs a task (or, on in-process executors, any `(input) => Effect`) over the inputs and streams the results
 * in submission order (Python's `Executor.map`). Inputs are pulled lazily with at most `buffer` tasks in
 * flight, so an infinite iterable works. The first failure in submission order fails the stream, after
 * every result before it; then the tasks still in flight are cancelled or interrupted. With a `Task` and
 * `chunkSize` above 1, inputs go in chunks, one unit of work each (Python's `map(chunksize=)`).
 *
 * @example
 * ```ts
 * import { Effect, Schema, Stream } from "effect"
 * import { Executor, Task } from "@effect-futures/core"
 *
 * const program = Executor.map((n: number) => Effect.succeed(n * n), [1, 2, 3]).pipe(
 *   Stream.runCollect, // [1, 4, 9]
 *   Effect.provide(Executor.layerFiber())
 * )
 *
 * const square = Task.make("square", { payload: Schema.Number, success: Schema.Number, run: (n) => Effect.succeed(n * n) })
 * // 10 000 inputs in 40 units of work of 256 inputs each
 * const chunked = Executor.map(square, Array.from({ length: 10_000 }, (_, i) => i), { chunkSize: 256 }).pipe(
 *   Stream.runCollect,
 *   Effect.provide(Executor.layerFiber())
 * )
 * ```
 *
 * @since 0.1.0
 * @category submitting
 */
export const map: {
  <I, A, E>(
    task: Task.Task<I, A, E>,
    inputs: Iterable<I>,
    options?: MapOptions
  ): Stream.Stream<A, E | TaskBoundaryError | CancelledError | ExecutorShutdownError | TimeoutError, Executor>
  <I, A, E, R>(
    f: (input: I) => Effect.Effect<A, E, R>,
    inputs: Iterable<I>,
    options?: MapOptions
  ): Stream.Stream<A, E | CancelledError | ExecutorShutdownError | TimeoutError, Executor | LocalExecutor | R>
} = ((
  taskOrFunction: Task.Any | ((input: unknown) => Effect.Effect<unknown, unknown, unknown>),
  inputs: Iterable<unknown>,
  options?: MapOptions
) =>
  Stream.unwrap(
    Executor.useSync((executor): Stream.Stream<unknown, unknown, unknown> => {
      // A wrong option is thrown here, so the stream dies with it (docs/concepts.md, "Options are checked").
      checkMapOptions(options)
      const mapOptions = { buffer: options?.buffer ?? 2 * executor.maxWorkers, timeout: options?.timeout }
      const chunkSize = options?.chunkSize ?? 1
      const taskOptions =
        options?.taskTimeout !== undefined || options?.retry !== undefined
          ? { timeout: options.taskTimeout, retry: options.retry }
          : undefined
      if (taskOptions !== undefined) {
        if (Task.isTask(taskOrFunction)) {
          return mapInOrder(
            inputs,
            (input) => new Submitting(submitTaskWith(executor, taskOrFunction, input, taskOptions)),
            mapOptions
          )
        }
        return mapFunction(
          withTaskOptions(taskOrFunction as (input: unknown) => Effect.Effect<unknown, unknown>, taskOptions),
          inputs,
          mapOptions,
          localExecutorOfMap
        )
      }
      if (Task.isTask(taskOrFunction)) {
        const submitChunk = executor.submitChunk
        return chunkSize > 1 && submitChunk !== undefined
          ? mapChunksInOrder(
              inputs,
              chunkSize,
              (chunk) => new Submitting(submitChunk(taskOrFunction, chunk)),
              mapOptions
            )
          : mapInOrder(inputs, (input) => new Submitting(executor.submitTask(taskOrFunction, input)), mapOptions)
      }
      // The task's requirements come from the services of the fiber that pulls the stream.
      return mapFunction(
        taskOrFunction as (input: unknown) => Effect.Effect<unknown, unknown>,
        inputs,
        mapOptions,
        localExecutorOfMap
      )
    })
  )) as any

/**
 * The in-process executor that runs `map`'s function; on an executor that runs only Tasks, a defect that says
 * what to do instead (thrown where the stream pulls its first input, as a defect of the stream).
 */
const localExecutorOfMap = (context: Context.Context<never>): LocalExecutorShape => {
  const local = Context.getOrUndefined(context as Context.Context<LocalExecutor>, LocalExecutor)
  if (local === undefined) throw closureOnTaskExecutor("Executor.map", "a function")
  return local
}

const mapOptionKeys = ["timeout", "buffer", "chunkSize", "taskTimeout", "retry"]

/** `map`'s options, each checked; what a timeout ≤ 0 means is map's own rule. */
const checkMapOptions = (input: MapOptions | undefined): void => {
  const options = Validate.readOptions("Executor.map", input, mapOptionKeys)
  Validate.duration(options, "timeout")
  Validate.duration(options, "taskTimeout")
  Validate.count(options, "buffer", 1)
  Validate.count(options, "chunkSize", 1)
}

/** An in-process task with its own timeout and retry, in its own fiber. */
const withTaskOptions =
  (
    f: (input: unknown) => Effect.Effect<unknown, unknown>,
    options: { readonly timeout: Duration.Input | undefined; readonly retry: RetryPolicy<any> | undefined }
  ) =>
  (input: unknown): Effect.Effect<unknown, unknown> => {
    let task = Effect.suspend(() => f(input))
    if (options.timeout !== undefined) task = withDeadline(task, options.timeout)
    return options.retry === undefined
      ? task
      : (Effect.retry(task, retryOptions(options.retry) as any) as Effect.Effect<unknown, unknown>)
  }

/**
 * `Effect.timeout` as a submit's `timeout` means it (`SubmitOptions.timeout`): a deadline. A task that ends after
 * it fails with `TimeoutError` whatever it answered (synchronous code gives the timer no turn before it ends),
 * and a timeout ≤ 0 fails at once, without running the task.
 */
const withDeadline = <A, E>(task: Effect.Effect<A, E>, timeout: Duration.Input): Effect.Effect<A, E | TimeoutError> => {
  const millis = Duration.toMillis(Duration.fromInputUnsafe(timeout))
  const expired = () => new TimeoutError(`the task did not finish within ${Duration.format(Duration.millis(millis))}`)
  if (millis <= 0) return Effect.fail(expired())
  return Effect.clockWith((clock) => {
    const deadline = clock.currentTimeMillisUnsafe() + millis
    return Effect.flatMap(
      Effect.exit(Effect.timeoutOrElse(task, { duration: millis, orElse: () => Effect.fail(expired()) })),
      (exit) => (clock.currentTimeMillisUnsafe() >= deadline ? Effect.fail(expired()) : exit)
    )
  })
}

/**
 * `Executor.map` over several iterables read side by side (Python's `executor.map(fn, *iterables)`): the task runs
 * on each tuple of their items, and the stream stops with the shortest iterable. A `Task` takes the tuple as its
 * input; a function on an in-process executor takes the items as its arguments. Inputs are pulled lazily, with
 * the options, order and failure rule of {@link map}.
 *
 * @example
 * ```ts
 * import { Effect, Schema, Stream } from "effect"
 * import { Executor, Task } from "@effect-futures/core"
 *
 * const power = Task.make("power", {
 *   payload: Schema.Tuple([Schema.Number, Schema.Number]),
 *   success: Schema.Number,
 *   run: ([base, exponent]) => Effect.succeed(base ** exponent)
 * })
 *
 * // [1, 8, 81]: the third iterable's fourth item is never read
 * const powers = Executor.mapZip(power, [[1, 2, 3, 4], [5, 3, 4]]).pipe(
 *   Stream.runCollect,
 *   Effect.provide(Executor.layerFiber())
 * )
 *
 * // ["a1", "b2"]: a function on an in-process executor takes the items as arguments
 * const labels = Executor.mapZip((letter: string, n: number) => Effect.succeed(`${letter}${n}`), [["a", "b", "c"], [1, 2]]).pipe(
 *   Stream.runCollect,
 *   Effect.provide(Executor.layerFiber())
 * )
 * ```
 *
 * @since 0.1.0
 * @category submitting
 */
export const mapZip: {
  <Inputs extends ReadonlyArray<unknown>, A, E>(
    task: Task.Task<Inputs, A, E>,
    iterables: { readonly [K in keyof Inputs]: Iterable<Inputs[K]> },
    options?: MapOptions
  ): Stream.Stream<A, E | TaskBoundaryError | CancelledError | ExecutorShutdownError | TimeoutError, Executor>
  <Inputs extends ReadonlyArray<unknown>, A, E, R>(
    f: (...inputs: Inputs) => Effect.Effect<A, E, R>,
    iterables: { readonly [K in keyof Inputs]: Iterable<Inputs[K]> },
    options?: MapOptions
  ): Stream.Stream<A, E | CancelledError | ExecutorShutdownError | TimeoutError, Executor | LocalExecutor | R>
} = ((
  taskOrFunction: Task.Any | ((...inputs: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown, unknown>),
  iterables: ReadonlyArray<Iterable<unknown>>,
  options?: MapOptions
) =>
  Task.isTask(taskOrFunction)
    ? map(taskOrFunction, zipIterables(iterables), options)
    : map((inputs: ReadonlyArray<unknown>) => taskOrFunction(...inputs), zipIterables(iterables), options)) as any

/**
 * Runs one call on the executor and waits for its result, in one step (asyncio's `loop.run_in_executor`): a
 * plain function (synchronous or Promise-returning) with its arguments on an in-process executor, where a throw
 * or rejection fails with `TaskError`; or a `Task` and its input (and `submit`'s options: `timeout`, `retry`,
 * `id`) on any executor, so a blocking call leaves the main thread on a worker pool. If the waiting fiber is
 * interrupted, the call is cancelled, or interrupted if it already runs.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 * import { NodeExecutor } from "@effect-futures/node"
 * import { countPrimes } from "./primes.tasks.ts"
 *
 * declare const fetchPage: (url: string, attempts: number) => Promise<string>
 *
 * // A plain async function and its arguments, with at most 4 such calls at once
 * const page = Executor.runInExecutor(fetchPage, "https://example.com", 3).pipe(
 *   Effect.provide(Executor.layerFiber({ maxWorkers: 4 }))
 * )
 *
 * // CPU-bound work in a worker thread
 * const primes = Executor.runInExecutor(countPrimes, 1_000_000).pipe(
 *   Effect.provide(NodeExecutor.layerWorkerThreads({ module: new URL("./primes.tasks.ts", import.meta.url) }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category submitting
 */
export const runInExecutor: {
  <I, A, E>(
    task: Task.Task<I, A, E>,
    input: I,
    options?: SubmitOptions<E | TaskBoundaryError> & { readonly timeout?: undefined }
  ): Effect.Effect<A, E | TaskBoundaryError | CancelledError | ExecutorShutdownError | TaskEncodeError, Executor>
  <I, A, E>(
    task: Task.Task<I, A, E>,
    input: I,
    options: SubmitOptions<E | TaskBoundaryError | TimeoutError>
  ): Effect.Effect<
    A,
    E | TaskBoundaryError | TimeoutError | CancelledError | ExecutorShutdownError | TaskEncodeError,
    Executor
  >
  <Args extends ReadonlyArray<unknown>, A>(
    f: (...args: Args) => A,
    ...args: Args
  ): Effect.Effect<Awaited<A>, TaskError | CancelledError | ExecutorShutdownError, LocalExecutor>
} = ((taskOrFunction: Task.Any | ((...args: ReadonlyArray<unknown>) => unknown), ...rest: ReadonlyArray<unknown>) =>
  Task.isTask(taskOrFunction)
    ? awaitSubmitted(
        Executor.use((executor) =>
          submitTaskWith(executor, taskOrFunction, rest[0], rest[1] as SubmitOptions | undefined)
        )
      )
    : awaitSubmitted(
        submitEffect(
          callPlainFunction(() => taskOrFunction(...rest)),
          "Executor.runInExecutor",
          "a function"
        )
      )) as any

/**
 * Shuts the executor down (Python's `shutdown`): later submits fail with `ExecutorShutdownError`;
 * `cancelFutures` cancels the queued tasks; `wait` (default) waits for the rest to end. Closing an
 * executor Layer's scope does this for you.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 *
 * const program = Executor.shutdown({ wait: true, cancelFutures: true }).pipe(
 *   Effect.provide(Executor.layerFiber())
 * )
 * ```
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const shutdown = (options?: ShutdownOptions): Effect.Effect<void, never, Executor> =>
  Executor.use((executor) => executor.shutdown(options))

/**
 * The executor's counters now; they are also reported as Effect `Metric`s (`effect_futures_workers`,
 * `_busy`, `_queued`, `_completed`, `_failed`, `_cancelled`, and the histogram `_task_run_time` in
 * milliseconds, tagged with the executor). They count units of work: a chunk of `map` with `chunkSize` is one
 * unit, and it counts as completed when it ran to its end, even if one of its inputs failed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const { busy, queued } = yield* Executor.stats
 *   yield* Effect.log(`${busy} busy, ${queued} queued`)
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const stats: Effect.Effect<ExecutorStats, never, Executor> = Executor.use((executor) => executor.stats)

/**
 * Python 3.14's `terminate_workers`: shuts the executor down at once, cancels its queued tasks, sends SIGTERM to
 * every live worker (a worker thread is terminated), and returns when all of them are gone; the tasks that were
 * running fail with `BrokenExecutorError`, and later submits fail with `ExecutorShutdownError`. A child that
 * outlives its SIGTERM by 2 seconds is killed, so this always returns with no worker left. An executor without
 * workers (`layerFiber`) fails with `NoWorkersError` and is left as it was: silently doing nothing would leave
 * running the tasks the caller means to stop.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 * import { NodeExecutor } from "@effect-futures/node"
 * import { countPrimes } from "./primes.tasks.ts"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(countPrimes, 1_000_000_000)
 *   yield* Executor.terminateWorkers
 *   return yield* Future.exception(future) // Option.some(BrokenExecutorError)
 * }).pipe(Effect.provide(NodeExecutor.layerChildProcesses({ module: new URL("./primes.tasks.ts", import.meta.url) })))
 * ```
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const terminateWorkers: Effect.Effect<void, NoWorkersError, Executor> = Executor.use((executor) =>
  forceShutdown(executor, "terminate")
)

/**
 * Python 3.14's `kill_workers`: {@link terminateWorkers} with SIGKILL, which no worker can ignore.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 * import { NodeExecutor } from "@effect-futures/node"
 * import { countPrimes } from "./primes.tasks.ts"
 *
 * // A task that takes too long: every worker goes, and the futures end at once.
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(countPrimes, 1_000_000_000)
 *   yield* Effect.sleep("10 seconds")
 *   yield* Executor.killWorkers
 * }).pipe(Effect.provide(NodeExecutor.layerWorkerThreads({ module: new URL("./primes.tasks.ts", import.meta.url) })))
 * ```
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const killWorkers: Effect.Effect<void, NoWorkersError, Executor> = Executor.use((executor) =>
  forceShutdown(executor, "kill")
)

const forceShutdown = (executor: ExecutorShape, operation: ForceShutdownOperation) =>
  executor.forceShutdown === undefined
    ? Effect.fail(
        new NoWorkersError({
          message: `Executor.${operation}Workers: this executor has no workers (its tasks run in this process)`
        })
      )
    : executor.forceShutdown(operation)

/**
 * Python's default: `min(32, cpus + 4)`, or 8 where the runtime does not say how many CPUs it has.
 *
 * @example
 * ```ts
 * import { Executor } from "@effect-futures/core"
 *
 * Executor.defaultMaxWorkers() // 6 on a 2-core machine
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultMaxWorkers = (): number => {
  const cpus = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency
  return typeof cpus === "number" && cpus > 0 ? Math.min(32, cpus + 4) : 8
}

/**
 * The in-process executor: a bounded pool of fibers, the `ThreadPoolExecutor` for I/O-bound Effects. At
 * most `maxWorkers` tasks run at once (default `min(32, cpus + 4)`); the rest wait in FIFO order. Provides
 * `Executor` and `LocalExecutor`. Closing the Layer's scope shuts it down: normally it waits for all tasks;
 * on failure or interruption it cancels the queued ones and interrupts the running ones. An interruption that
 * reaches the close while it waits (an `Effect.timeout` around the program, Ctrl-C under `runMain`), or
 * `shutdownTimeout` elapsing, does the same, so a close never waits for ever on a task that never ends.
 *
 * `submit` returns before the task's body runs, as Python's does: the future is `pending`, and a free worker
 * starts the task on its own fiber on the scheduler's next turn. A synchronous task holds the JavaScript thread
 * while it runs, so synchronous tasks run one at a time; CPU-bound work belongs in a worker pool.
 * `measureRunTime: true` also records each task's
 * run time in the `effect_futures_task_run_time` histogram (the worker pools always do): two clock reads per
 * task, about as much as a tiny task's fiber.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const fetchOrder = (id: number) => Effect.succeed({ id }).pipe(Effect.delay("2 seconds"))
 *
 * const program = Effect.gen(function*() {
 *   const futures = yield* Effect.forEach([1, 2, 3], (id) => Executor.submit(fetchOrder(id)))
 *   return yield* Effect.forEach(futures, (future) => Future.result(future)) // ~2 s, not 6
 * }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 3 })))
 *
 * // The close waits at most 5 seconds for the task left running, then interrupts it.
 * const leftRunning = Executor.submit(Effect.never).pipe(
 *   Effect.provide(Executor.layerFiber({ shutdownTimeout: "5 seconds" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFiber = <I = never>(options?: {
  readonly maxWorkers?: number | undefined
  readonly measureRunTime?: boolean | undefined
  /**
   * The executor's name (Python's `thread_name_prefix`): the `executor_name` attribute of its metrics. Default:
   * `fiber-` and a number counted in this process, so two executors never share a series.
   */
  readonly name?: string | undefined
  /**
   * How long a normal close of the Layer's scope waits for the tasks (default: as long as they take); then it
   * cancels the queued ones, interrupts the running ones, and returns once they have ended.
   */
  readonly shutdownTimeout?: Duration.Input | undefined
  /**
   * Runs once, before any task starts (Python's `initializer` and `initargs`): the pool's fibers share one heap,
   * so once for the pool is once per worker. Tasks submitted meanwhile wait queued. If it fails, the pool is
   * broken: every task fails with `BrokenExecutorError` carrying the initializer's error (a closure's future,
   * whose error type has no room for it, as a defect).
   */
  readonly initializer?: Initializer<I> | undefined
  /**
   * A span for each task submitted from a fiber that has one (default `true`); see `docs/observability.md`.
   * Off, a task costs no more than it did without tracing.
   */
  readonly tracing?: boolean | undefined
}): Layer.Layer<Executor | LocalExecutor> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const { maxWorkers, shutdownTimeout } = yield* Validate.checked(() => checkFiberOptions(options))
      const initializer = options?.initializer
      const pool = new FiberPool({
        maxWorkers,
        context: yield* Effect.context<never>(),
        measureRunTime: options?.measureRunTime === true,
        name: executorName("fiber", options?.name),
        tracing: options?.tracing !== false,
        held: initializer !== undefined
      })
      // Started before the close is added, so a normal close waits for it (finalizers run last added first).
      const gate = initializer === undefined ? undefined : yield* startInitializer(pool, initializer)
      yield* Effect.addFinalizer((exit) => Lifecycle.close(pool.lifecycle, exit, shutdownTimeout))
      return Context.make(Executor, fiberExecutor(pool, gate)).pipe(
        Context.add(LocalExecutor, fiberLocalExecutor(pool, gate))
      )
    })
  )

const fiberOptionKeys = ["maxWorkers", "measureRunTime", "name", "shutdownTimeout", "initializer", "tracing"]

/** `layerFiber`'s options, each checked (docs/concepts.md, "Options are checked"). */
const checkFiberOptions = (input: unknown) => {
  const options = Validate.readOptions("Executor.layerFiber", input, fiberOptionKeys)
  Validate.boolean(options, "measureRunTime")
  Validate.boolean(options, "tracing")
  Validate.string(options, "name")
  Validate.initializer(options)
  return {
    maxWorkers: Validate.count(options, "maxWorkers", defaultMaxWorkers()),
    shutdownTimeout: Validate.duration(options, "shutdownTimeout", { min: 0 })
  }
}
