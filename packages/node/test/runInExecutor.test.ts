import { Executor, Future, FutureError } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schedule } from "effect"
import * as Tasks from "./fixtures/pool.tasks.ts"
import { pools, TIMEOUT } from "./fixtures/pools.ts"

describe.each(pools)("$name", (pool) => {
  it.live(
    "runInExecutor runs a Task in a worker and returns its result, or its typed error",
    () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* Executor.runInExecutor(Tasks.countPrimes, 100), 25)
        const failed = yield* Effect.flip(Executor.runInExecutor(Tasks.countPrimes, -1))
        assert.instanceOf(failed, Tasks.PrimeLimitError)
        const thrown = yield* Effect.flip(Executor.runInExecutor(Tasks.throws, "boom"))
        assert.instanceOf(thrown, FutureError.TaskError)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "runInExecutor waiting for room under maxQueue can be interrupted: it returns, and nothing was submitted",
    () =>
      Effect.gen(function* () {
        const running = yield* Executor.submit(Tasks.sleepForever, undefined)
        yield* Future.running(running).pipe(
          Effect.repeat({ until: (isRunning) => isRunning, schedule: Schedule.spaced("10 millis") })
        )
        const queued = yield* Executor.submit(Tasks.countPrimes, 10)
        const waiting = yield* Effect.forkChild(Executor.runInExecutor(Tasks.countPrimes, 20))
        // Nothing to synchronize on inside the pool: time for the submit to reach its wait for room, where it stays.
        yield* Effect.sleep("50 millis")
        assert.isUndefined(waiting.pollUnsafe())
        yield* Fiber.interrupt(waiting)
        assert.isTrue(Exit.hasInterrupts(yield* Fiber.await(waiting)))
        assert.strictEqual((yield* Executor.stats).queued, 1)
        yield* Future.interrupt(running)
        assert.strictEqual(yield* Future.result(queued), 4)
      }).pipe(Effect.provide(pool.layer({ maxWorkers: 1, maxQueue: 1 }))),
    TIMEOUT
  )

  it.live(
    "interrupting runInExecutor interrupts the task in its worker",
    () =>
      Effect.gen(function* () {
        const before = yield* Executor.runInExecutor(Tasks.finalizerCount, undefined)
        const fiber = yield* Effect.forkChild(Executor.runInExecutor(Tasks.sleepForever, undefined))
        yield* Executor.stats.pipe(
          Effect.repeat({ until: (stats) => stats.busy === 1, schedule: Schedule.spaced("10 millis") })
        )
        yield* Fiber.interrupt(fiber)
        assert.strictEqual(yield* Executor.runInExecutor(Tasks.finalizerCount, undefined), before + 1)
      }).pipe(Effect.provide(pool.layer({ maxWorkers: 1 }))),
    TIMEOUT
  )
})
