/**
 * An executor whose tasks start only when the test says: `TestExecutor.layer` provides `Executor` and
 * `LocalExecutor` (so the code under test runs unchanged) and the `TestExecutor` service, with which the test
 * starts queued tasks ({@link runNext}, {@link runAll}), ends them ({@link complete}, {@link crash}) and looks
 * at the queue and the running tasks. Its futures are core's own futures, driven by core's executor
 * lifecycle: they behave as a real executor's do. Tasks run with the services of the fiber that submitted
 * them, so a test that controls time with `TestClock` controls their sleeps too.
 *
 * @since 0.1.0
 */
import { Executor, Future, type FutureError } from "@effect-futures/core"
import { runChunk } from "@effect-futures/core/internal/chunk"
import type { FutureImpl } from "@effect-futures/core/internal/future"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import { executorName } from "@effect-futures/core/internal/stats"
import * as Validate from "@effect-futures/core/internal/validate"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ExecutorProgram from "./ExecutorProgram.ts"
import * as Pool from "./internal/testPool.ts"

/**
 * What the test does with a `TestExecutor`. Every future it takes must come from this executor (else
 * `InvalidStateError`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TestExecutorShape {
  readonly maxWorkers: number
  /** Starts the oldest queued task if a worker is free; its future, or `None` (queue empty or all busy). */
  readonly runNext: Effect.Effect<Option.Option<Future.Future<unknown, unknown>>>
  /** Starts queued tasks, oldest first, while workers are free; their futures. */
  readonly runAll: Effect.Effect<ReadonlyArray<Future.Future<unknown, unknown>>>
  /**
   * Ends a task with `exit`, as if it had ended so: a pending one at once (its task never runs), a running
   * one after its fiber is interrupted (its finalizers run). A done future fails with `InvalidStateError`.
   */
  readonly complete: <A, E>(
    future: Future.Future<A, E>,
    exit: Exit.Exit<A, E>
  ) => Effect.Effect<void, FutureError.InvalidStateError>
  /**
   * The worker running the task dies, as in a worker pool: the task's fiber is interrupted and the future
   * fails with `BrokenExecutorError`. Only a running future can crash (else `InvalidStateError`).
   */
  readonly crash: <A, E>(future: Future.Future<A, E>) => Effect.Effect<void, FutureError.InvalidStateError>
  /** The pending futures, oldest first. */
  readonly queue: Effect.Effect<ReadonlyArray<Future.Future<unknown, unknown>>>
  /** The futures whose task runs, in no particular order. */
  readonly running: Effect.Effect<ReadonlyArray<Future.Future<unknown, unknown>>>
  /** Every future submitted so far, in submission order. */
  readonly submitted: Effect.Effect<ReadonlyArray<Future.Future<unknown, unknown>>>
  /** Waits until `count` tasks have been submitted; the first `count` futures, in submission order. */
  readonly awaitSubmitted: (count: number) => Effect.Effect<ReadonlyArray<Future.Future<unknown, unknown>>>
}

/**
 * The service of the test executor, provided by {@link layer}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   const executor = yield* TestExecutor.TestExecutor
 *   return executor.maxWorkers // 2
 * }).pipe(Effect.provide(TestExecutor.layer({ maxWorkers: 2 })))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class TestExecutor extends Context.Service<TestExecutor, TestExecutorShape>()(
  "@effect-futures/testing/TestExecutor"
) {}

const asFuture = <A, E>(future: FutureImpl<A, E>): Future.Future<A, E> => future as unknown as Future.Future<A, E>
const asImpl = <A, E>(future: Future.Future<A, E>): FutureImpl<A, E> => future as unknown as FutureImpl<A, E>

/**
 * Options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** At most this many tasks run at once (default 4); also `Executor.map`'s default buffer, twice this. */
  readonly maxWorkers?: number | undefined
  /** The executor's name, the `executor_name` attribute of its metrics (default `test-` and a number). */
  readonly name?: string | undefined
  /** A span per task in the submitter's trace, as on every executor (default `true`). */
  readonly tracing?: boolean | undefined
}

/**
 * The test executor as a Layer: `Executor` and `LocalExecutor` for the code under test, `TestExecutor` for the
 * test. Nothing runs until the test calls {@link runNext} or {@link runAll}. Closing its scope cancels the
 * tasks the test left queued and interrupts those it left running, and waits for them: a test never hangs on
 * it. `Executor.shutdown` behaves as on any executor (with `wait`, it waits until the test has run or ended
 * every task).
 *
 * @example
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.succeed("shipped"))
 *   yield* Future.state(future) // "pending": nothing runs yet
 *   yield* TestExecutor.runNext
 *   return yield* Future.result(future) // "shipped"
 * }).pipe(Effect.provide(TestExecutor.layer()))
 *
 * const failed = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.never)
 *   yield* TestExecutor.complete(future, Exit.fail("no stock")) // ends it without running it
 *   return yield* Future.exception(future) // Option.some("no stock")
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<TestExecutor | Executor.Executor | Executor.LocalExecutor> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const maxWorkers = yield* Validate.checked(() => {
        const checked = Validate.readOptions("TestExecutor.layer", options, ["maxWorkers", "name", "tracing"])
        Validate.string(checked, "name")
        Validate.boolean(checked, "tracing")
        return Validate.count(checked, "maxWorkers", 4)
      })
      const pool = Pool.make(
        maxWorkers,
        yield* Effect.context<never>(),
        executorName("test", options?.name),
        options?.tracing !== false
      )
      yield* Effect.addFinalizer(() => Pool.close(pool))
      const executor: Executor.ExecutorShape = {
        maxWorkers,
        submitTask: (task, input, submitOptions) =>
          Pool.submit(
            pool,
            Effect.suspend(() => task.run(input)),
            task.name,
            submitOptions
          ) as any,
        // A chunk of `map(task, inputs, { chunkSize })` is one task, run by core's chunk rule, as on `layerFiber`.
        submitChunk: (task, inputs) => Pool.submit(pool, runChunk(task.run, inputs), task.name) as any,
        shutdown: (shutdownOptions) => Lifecycle.shutdown(pool.lifecycle, shutdownOptions),
        stats: Effect.sync(() => pool.lifecycle.stats.snapshot()),
        whenShutdown: Lifecycle.whenShutdown(pool.lifecycle)
      }
      const local: Executor.LocalExecutorShape = {
        submit: (effect) => Effect.map(Pool.submit(pool, effect), asFuture)
      }
      const test: TestExecutorShape = {
        maxWorkers,
        runNext: Effect.sync(() => Option.map(Option.fromUndefinedOr(Pool.runNextUnsafe(pool)), asFuture)),
        runAll: Effect.sync(() => {
          const started: Array<Future.Future<unknown, unknown>> = []
          for (let future = Pool.runNextUnsafe(pool); future !== undefined; future = Pool.runNextUnsafe(pool)) {
            started.push(asFuture(future))
          }
          return started
        }),
        complete: (future, exit) => Pool.complete(pool, asImpl(future), exit),
        crash: (future) => Pool.crash(pool, asImpl(future)),
        queue: Effect.sync(() => Pool.queued(pool).map(asFuture)),
        running: Effect.sync(() => pool.lifecycle.running.map(asFuture)),
        submitted: Effect.sync(() => pool.submitted.map(asFuture)),
        awaitSubmitted: (count) => Effect.map(Pool.awaitSubmitted(pool, count), (futures) => futures.map(asFuture))
      }
      return Context.make(TestExecutor, test).pipe(
        Context.add(Executor.Executor, executor),
        Context.add(Executor.LocalExecutor, local)
      )
    })
  )

/**
 * Starts the oldest queued task if a worker is free: its future, or `None` when the queue is empty or every
 * worker is busy.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.never)
 *   yield* TestExecutor.runNext // Option.some(future)
 *   return yield* Future.state(future) // "running"
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const runNext: Effect.Effect<
  Option.Option<Future.Future<unknown, unknown>>,
  never,
  TestExecutor
> = TestExecutor.use((executor) => executor.runNext)

/**
 * Starts queued tasks, oldest first, while workers are free; their futures. Tasks that end free their worker,
 * but the next queued task waits for the next `runNext` or `runAll`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   yield* Effect.forEach([1, 2, 3], () => Executor.submit(Effect.never))
 *   return (yield* TestExecutor.runAll).length // 2: two workers
 * }).pipe(Effect.provide(TestExecutor.layer({ maxWorkers: 2 })))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const runAll: Effect.Effect<
  ReadonlyArray<Future.Future<unknown, unknown>>,
  never,
  TestExecutor
> = TestExecutor.use((executor) => executor.runAll)

/**
 * Ends a task with `exit`, as if the task had ended so: a pending future at once (its task never runs), a
 * running one once its fiber has been interrupted (its finalizers run first, as when a real task ends). An
 * exit of interruptions cancels the future. Fails with `InvalidStateError` on a done future.
 *
 * @example
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.never.pipe(Effect.as(0)))
 *   yield* TestExecutor.runNext
 *   yield* TestExecutor.complete(future, Exit.succeed(42))
 *   return yield* Future.result(future) // 42
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const complete: {
  <A, E>(
    exit: Exit.Exit<A, E>
  ): (future: Future.Future<A, E>) => Effect.Effect<void, FutureError.InvalidStateError, TestExecutor>
  <A, E>(
    future: Future.Future<A, E>,
    exit: Exit.Exit<A, E>
  ): Effect.Effect<void, FutureError.InvalidStateError, TestExecutor>
} = dual(2, <A, E>(future: Future.Future<A, E>, exit: Exit.Exit<A, E>) =>
  TestExecutor.use((executor) => executor.complete(future, exit))
)

/**
 * The worker running the future's task dies, as a worker thread or process can: the task's fiber is
 * interrupted and the future fails with `BrokenExecutorError`. Only a running future can crash; others fail
 * with `InvalidStateError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.never)
 *   yield* TestExecutor.runNext
 *   yield* TestExecutor.crash(future)
 *   return yield* Future.await(future) // Exit.fail(BrokenExecutorError)
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const crash = <A, E>(
  future: Future.Future<A, E>
): Effect.Effect<void, FutureError.InvalidStateError, TestExecutor> =>
  TestExecutor.use((executor) => executor.crash(future))

/**
 * The pending futures, oldest first: what `runNext` would start next.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   yield* Executor.submit(Effect.void)
 *   return (yield* TestExecutor.queue).length // 1
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const queue: Effect.Effect<
  ReadonlyArray<Future.Future<unknown, unknown>>,
  never,
  TestExecutor
> = TestExecutor.use((executor) => executor.queue)

/**
 * The futures whose task runs now.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   yield* Executor.submit(Effect.never)
 *   yield* TestExecutor.runAll
 *   return (yield* TestExecutor.running).length // 1
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const running: Effect.Effect<
  ReadonlyArray<Future.Future<unknown, unknown>>,
  never,
  TestExecutor
> = TestExecutor.use((executor) => executor.running)

/**
 * Every future submitted so far, in submission order, whatever its state.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   yield* Executor.submit(Effect.void)
 *   return (yield* TestExecutor.submitted).length // 1
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const submitted: Effect.Effect<
  ReadonlyArray<Future.Future<unknown, unknown>>,
  never,
  TestExecutor
> = TestExecutor.use((executor) => executor.submitted)

/**
 * Waits until the code under test has submitted `count` tasks in all; the first `count` futures. The way to
 * synchronize with a pipeline running in another fiber, without sleeps.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor } from "@effect-futures/core"
 * import { TestExecutor } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   yield* Effect.forkChild(Effect.forEach([1, 2, 3], (n) => Executor.submit(Effect.succeed(n))))
 *   const futures = yield* TestExecutor.awaitSubmitted(3)
 *   return futures.length // 3
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const awaitSubmitted = (
  count: number
): Effect.Effect<ReadonlyArray<Future.Future<unknown, unknown>>, never, TestExecutor> =>
  TestExecutor.use((executor) => executor.awaitSubmitted(count))

/**
 * Options of {@link perform}.
 *
 * @since 0.1.0
 * @category models
 */
export interface PerformOptions {
  /** The `Exit` a `Complete` move ends its task with (default `ExecutorProgram.exitOf`). */
  readonly exitOf?: ((outcome: ExecutorProgram.Outcome) => Exit.Exit<unknown, unknown>) | undefined
}

/**
 * Plays one move of a property-based test (`ExecutorProgram.move`) on the futures submitted so far: starts
 * tasks, or ends, crashes, cancels or interrupts the future its target names (by the rule of
 * `ExecutorProgram.pick`). Returns whether the move did something: a move on a future that is already done, or
 * with no future to act on, is allowed and does nothing.
 *
 * @example
 * ```ts
 * import { Effect, Exit } from "effect"
 * import * as fc from "fast-check"
 * import { Executor, Future } from "@effect-futures/core"
 * import { ExecutorProgram, TestExecutor } from "@effect-futures/testing"
 *
 * const [moves] = fc.sample(fc.array(ExecutorProgram.move, { maxLength: 10 }), 1)
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.never.pipe(Effect.as("done")))
 *   for (const move of moves!) {
 *     yield* TestExecutor.perform(move, { exitOf: (outcome) => (outcome._tag === "Succeed" ? Exit.succeed("ok") : Exit.fail(outcome)) })
 *   }
 *   return yield* Future.state(future)
 * }).pipe(Effect.provide(TestExecutor.layer()))
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const perform = (
  move: ExecutorProgram.Move,
  options?: PerformOptions
): Effect.Effect<boolean, never, TestExecutor> =>
  TestExecutor.use((executor) =>
    Effect.gen(function* () {
      switch (move._tag) {
        case "RunNext":
          return Option.isSome(yield* executor.runNext)
        case "RunAll":
          return (yield* executor.runAll).length > 0
      }
      const futures = yield* executor.submitted
      const states = yield* Effect.forEach(futures, Future.state)
      const index = ExecutorProgram.pick(states, move.target)
      if (index === undefined) return false
      const future = futures[index]!
      switch (move._tag) {
        case "Complete": {
          const exit = (options?.exitOf ?? ExecutorProgram.exitOf)(move.outcome)
          return Exit.isSuccess(yield* Effect.exit(executor.complete(future, exit)))
        }
        case "Crash":
          return Exit.isSuccess(yield* Effect.exit(executor.crash(future)))
        case "Cancel":
          return yield* Future.cancel(future)
        case "Interrupt":
          return yield* Future.interrupt(future)
      }
    })
  )
