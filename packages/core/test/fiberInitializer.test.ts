import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Schema, Scope, Stream } from "effect"
import { Executor, Future, FutureError, Task } from "@effect-futures/core"

class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", { reason: Schema.String }) {}

const double = Task.make("double", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.succeed(2 * n)
})

/** An initializer that records its runs and waits for `release` before it ends (with `fail`, failing). */
const controlled = Effect.gen(function* () {
  const release = yield* Deferred.make<void>()
  const started = yield* Deferred.make<void>()
  const runs: Array<string> = []
  const configure = Task.make("configure", {
    payload: Schema.String,
    success: Schema.Void,
    failure: ConfigError,
    run: (input) =>
      Effect.sync(() => runs.push(input)).pipe(
        Effect.andThen(Deferred.succeed(started, undefined)),
        Effect.andThen(Deferred.await(release)),
        Effect.andThen(input === "fail" ? Effect.fail(new ConfigError({ reason: "no config" })) : Effect.void)
      )
  })
  return { release: Deferred.succeed(release, undefined), started: Deferred.await(started), runs, configure }
})

const build = <I>(options: Parameters<typeof Executor.layerFiber<I>>[0]) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(Executor.layerFiber(options), scope)
    return { scope, provide: Effect.provide(context) }
  })

describe("layerFiber initializer", () => {
  it.effect("runs once for the pool, before any task starts; tasks submitted meanwhile wait queued", () =>
    Effect.gen(function* () {
      const { release, started, runs, configure } = yield* controlled
      const { scope, provide } = yield* build({ maxWorkers: 3, initializer: { task: configure, input: "ready" } })
      yield* started
      const order: Array<string> = []
      const futures = yield* Effect.forEach([1, 2, 3, 4], (n) =>
        Executor.submit(Effect.sync(() => order.push(`task ${n}`)).pipe(Effect.as(n)))
      ).pipe(provide)
      const byTask = yield* Executor.submit(double, 5).pipe(provide)
      assert.deepStrictEqual(runs, ["ready"])
      assert.deepStrictEqual(order, [])
      assert.strictEqual(yield* Future.state(futures[0]!), "pending")
      assert.strictEqual((yield* Executor.stats.pipe(provide)).queued, 5)
      yield* release
      assert.deepStrictEqual(yield* Effect.forEach(futures, (future) => Future.result(future)), [1, 2, 3, 4])
      assert.strictEqual(yield* Future.result(byTask), 10)
      assert.deepStrictEqual(order, ["task 1", "task 2", "task 3", "task 4"])
      // Later tasks, closures and map included, start at once; the initializer never runs again.
      assert.deepStrictEqual(
        Array.from(
          yield* Stream.runCollect(Executor.map((n: number) => Effect.succeed(n + 1), [1, 2, 3])).pipe(provide)
        ),
        [2, 3, 4]
      )
      assert.deepStrictEqual(runs, ["ready"])
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("a queued task can still be cancelled while the initializer runs", () =>
    Effect.gen(function* () {
      const { release, configure } = yield* controlled
      const { scope, provide } = yield* build({ initializer: { task: configure, input: "ready" } })
      const future = yield* Executor.submit(Effect.succeed(1)).pipe(provide)
      assert.isTrue(yield* Future.cancel(future))
      yield* release
      assert.strictEqual(yield* Future.state(future), "cancelled")
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect(
    "a failing initializer breaks the pool: a Task's future fails with BrokenExecutorError carrying its error",
    () =>
      Effect.gen(function* () {
        const { release, configure } = yield* controlled
        const { scope, provide } = yield* build({ maxWorkers: 2, initializer: { task: configure, input: "fail" } })
        const waiting = yield* Executor.submit(double, 1).pipe(provide)
        yield* release
        const error = yield* Effect.flip(Future.result(waiting))
        assert.instanceOf(error, FutureError.BrokenExecutorError)
        assert.instanceOf((error as FutureError.BrokenExecutorError).cause, ConfigError)
        assert.strictEqual(
          (error as FutureError.BrokenExecutorError).message,
          `the initializer "configure" failed: ConfigError {"reason":"no config"}`
        )
        // Later submits are taken and fail the same way; map fails with it too.
        const later = yield* Effect.flip(Effect.flatMap(Executor.submit(double, 2).pipe(provide), Future.result))
        assert.instanceOf(later, FutureError.BrokenExecutorError)
        const mapped = yield* Effect.flip(Stream.runCollect(Executor.map(double, [1, 2])).pipe(provide))
        assert.instanceOf(mapped, FutureError.BrokenExecutorError)
        yield* Scope.close(scope, Exit.void)
      })
  )

  it.effect(
    "a closure's future on a broken pool dies with the BrokenExecutorError (its error type has no room for it)",
    () =>
      Effect.gen(function* () {
        const { release, configure } = yield* controlled
        const { scope, provide } = yield* build({ initializer: { task: configure, input: "fail" } })
        const waiting = yield* Executor.submit(Effect.succeed(1)).pipe(provide)
        yield* release
        const exit = yield* Future.await(waiting)
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
        assert.instanceOf(Cause.squash((exit as Exit.Failure<number, never>).cause), FutureError.BrokenExecutorError)
        const later = yield* Future.await(yield* Executor.submit(Effect.succeed(2)).pipe(provide))
        assert.isTrue(Exit.isFailure(later) && Cause.hasDies(later.cause))
        const mapped = yield* Effect.exit(
          Stream.runCollect(Executor.map((n: number) => Effect.succeed(n), [1])).pipe(provide)
        )
        assert.isTrue(Exit.isFailure(mapped) && Cause.hasDies(mapped.cause))
        yield* Scope.close(scope, Exit.void)
      })
  )

  it.effect("a normal close waits for the initializer and the tasks queued behind it", () =>
    Effect.gen(function* () {
      const { release, configure } = yield* controlled
      const { scope, provide } = yield* build({ initializer: { task: configure, input: "ready" } })
      const future = yield* Executor.submit(Effect.succeed("ran")).pipe(provide)
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* Effect.yieldNow
      assert.isUndefined(closing.pollUnsafe())
      yield* release
      yield* Fiber.join(closing)
      assert.strictEqual(yield* Future.result(future), "ran")
    })
  )

  it.effect("a failing close cancels the queued tasks and interrupts the initializer: nothing is left pending", () =>
    Effect.gen(function* () {
      const { started, runs, configure } = yield* controlled
      const { scope, provide } = yield* build({ initializer: { task: configure, input: "never" } })
      yield* started
      const future = yield* Executor.submit(Effect.succeed(1)).pipe(provide)
      yield* Scope.close(scope, Exit.fail("boom"))
      assert.strictEqual(yield* Future.state(future), "cancelled")
      assert.deepStrictEqual(runs, ["never"])
    })
  )

  it.effect("an initializer that dies breaks the pool with the defect as its cause", () =>
    Effect.gen(function* () {
      const dies = Task.make("dies", {
        payload: Schema.Void,
        success: Schema.Void,
        run: () => Effect.die(new Error("kaput"))
      })
      const { scope, provide } = yield* build({ initializer: { task: dies, input: undefined } })
      const error = yield* Effect.flip(Effect.flatMap(Executor.submit(double, 1).pipe(provide), Future.result))
      assert.instanceOf(error, FutureError.BrokenExecutorError)
      assert.strictEqual((error as FutureError.BrokenExecutorError).message, `the initializer "dies" failed: kaput`)
      yield* Scope.close(scope, Exit.void)
    })
  )
})
