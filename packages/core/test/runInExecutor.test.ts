import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Executor, FutureError, Task } from "@effect-futures/core"

const double = Task.make("double", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.succeed(2 * n)
})

describe("Executor.runInExecutor", () => {
  it.effect("runs a plain synchronous function with its arguments and returns its value", () =>
    Effect.gen(function* () {
      const joined = yield* Executor.runInExecutor((a: string, b: number) => `${a}:${b}`, "x", 2)
      assert.strictEqual(joined, "x:2")
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("awaits a Promise-returning function", () =>
    Effect.gen(function* () {
      const value = yield* Executor.runInExecutor(async (n: number) => n + 1, 41)
      assert.strictEqual(value, 42)
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("a throw or a rejection fails with TaskError (name, message kept)", () =>
    Effect.gen(function* () {
      const thrown = yield* Effect.flip(
        Executor.runInExecutor(() => {
          throw new RangeError("too big")
        })
      )
      assert.instanceOf(thrown, FutureError.TaskError)
      assert.strictEqual(thrown.name, "RangeError")
      assert.strictEqual(thrown.message, "too big")
      const rejected = yield* Effect.flip(Executor.runInExecutor(() => Promise.reject(new Error("no"))))
      assert.instanceOf(rejected, FutureError.TaskError)
      assert.strictEqual((rejected as FutureError.TaskError).message, "no")
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("runs a Task and its input", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* Executor.runInExecutor(double, 21), 42)
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("a Task's submit options apply: its timeout interrupts it and fails the call with TimeoutError", () =>
    Effect.gen(function* () {
      const slow = Task.make("slow", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.as(Effect.sleep("10 seconds"), n)
      })
      const fiber = yield* Effect.forkChild(Effect.flip(Executor.runInExecutor(slow, 1, { timeout: "1 second" })))
      yield* TestClock.adjust("1 second")
      assert.instanceOf(yield* Fiber.join(fiber), FutureError.TimeoutError)
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("runs on the executor: at most maxWorkers calls at once", () =>
    Effect.gen(function* () {
      let running = 0
      let most = 0
      const call = async () => {
        running++
        most = Math.max(most, running)
        await new Promise((resolve) => setTimeout(resolve, 5))
        running--
      }
      yield* Effect.forEach(
        Array.from({ length: 8 }, () => call),
        (f) => Executor.runInExecutor(f),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(most, 2)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("after shutdown it fails with ExecutorShutdownError", () =>
    Effect.gen(function* () {
      yield* Executor.shutdown()
      const error = yield* Effect.flip(Executor.runInExecutor(() => 1))
      assert.instanceOf(error, FutureError.ExecutorShutdownError)
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("interrupting the waiting fiber interrupts the running call, and cancels a queued one", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      const runningCall = Executor.runInExecutor(
        Task.make("hangs", {
          payload: Schema.Void,
          success: Schema.Void,
          run: () =>
            Deferred.succeed(started, undefined).pipe(
              Effect.andThen(Effect.never),
              Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
            )
        }),
        undefined
      )
      const first = yield* Effect.forkChild(runningCall)
      yield* Deferred.await(started)
      let queuedRan = false
      const second = yield* Effect.forkChild(Executor.runInExecutor(() => (queuedRan = true)))
      yield* Effect.yieldNow
      assert.strictEqual((yield* Executor.stats).queued, 1)
      yield* Fiber.interrupt(second)
      assert.strictEqual((yield* Executor.stats).queued, 0)
      yield* Fiber.interrupt(first)
      yield* Deferred.await(interrupted)
      const stats = yield* Executor.stats
      assert.strictEqual(stats.busy, 0)
      assert.strictEqual(stats.cancelled, 2)
      assert.isFalse(queuedRan)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 1 })))
  )
})
