import { Executor, Future, FutureError, type Task } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Layer, Schedule, Scope } from "effect"
import * as Tasks from "./fixtures/pool.tasks.ts"
import { pools, TIMEOUT } from "./fixtures/pools.ts"

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const failureOf = <A, E>(future: Future.Future<A, E>) =>
  Effect.map(Future.await(future), (exit) => {
    assert.isTrue(Exit.isFailure(exit), "expected the future to fail")
    return Cause.squash((exit as Exit.Failure<A, E>).cause)
  })

/** Submits a task that runs until stopped, and waits until a worker holds it (`running`: a worker may still load). */
const startRunning = <I>(task: Task.Task<I, unknown, unknown>, input: I) =>
  Effect.gen(function* () {
    const future = yield* Executor.submit(task, input)
    yield* Future.running(future).pipe(
      Effect.repeat({ until: (running) => running, schedule: Schedule.spaced("10 millis") })
    )
    return future
  })

const operations = [
  { name: "terminateWorkers", stop: Executor.terminateWorkers, signal: "SIGTERM" },
  { name: "killWorkers", stop: Executor.killWorkers, signal: "SIGKILL" }
] as const

describe.each(pools)("$name", (pool) => {
  describe.each(operations)("$name", (operation) => {
    it.live(
      "running tasks fail with BrokenExecutorError, queued ones are cancelled, no worker is left",
      () =>
        Effect.gen(function* () {
          const scope = yield* Scope.make()
          const context = yield* Layer.buildWithScope(pool.layer({ maxWorkers: 2, minWorkers: 2 }), scope)
          const run = Effect.provide(context)
          const pids = yield* Effect.forEach([1, 2], () =>
            Effect.flatMap(Executor.submit(Tasks.whoAmI, undefined), (future) => Future.result(future))
          ).pipe(run)
          // One task that can be interrupted, one that only killing its worker stops, one queued behind them.
          const waiting = yield* startRunning(Tasks.sleepForever, undefined).pipe(run)
          const spinning = yield* startRunning(Tasks.busyLoop, 600_000).pipe(run)
          const queued = yield* Executor.submit(Tasks.countPrimes, 10).pipe(run)
          yield* operation.stop.pipe(run)
          for (const future of [waiting, spinning]) {
            const error = yield* failureOf(future)
            assert.instanceOf(error, FutureError.BrokenExecutorError)
          }
          assert.strictEqual(yield* Future.state(queued), "cancelled")
          const stats = yield* Executor.stats.pipe(run)
          assert.deepStrictEqual([stats.workers, stats.busy, stats.queued], [0, 0, 0])
          if (pool.kind === "processes") for (const who of pids) assert.isFalse(isAlive(who.pid))
          // Shut down: later submits fail at once; the scope still closes.
          const refused = yield* Effect.flip(Executor.submit(Tasks.countPrimes, 10)).pipe(run)
          assert.instanceOf(refused, FutureError.ExecutorShutdownError)
          yield* Scope.close(scope, Exit.void)
        }),
      TIMEOUT
    )

    it.live(
      "an idle pool loses its workers and never starts others",
      () =>
        Effect.gen(function* () {
          yield* operation.stop
          yield* operation.stop
          const stats = yield* Executor.stats
          assert.strictEqual(stats.workers, 0)
        }).pipe(Effect.provide(pool.layer({ minWorkers: 2 }))),
      TIMEOUT
    )
  })

  it.live(
    "when terminateWorkers returns, every future has ended and its done callbacks run",
    () =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<void>()
        const future = yield* startRunning(Tasks.sleepForever, undefined)
        yield* Future.addDoneCallback(future, () => Deferred.succeed(done, undefined))
        yield* Executor.terminateWorkers
        // Every future has ended by the time terminateWorkers returns.
        assert.isTrue(yield* Future.done(future))
        yield* Deferred.await(done)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )
})

describe("child processes", () => {
  it.live(
    "terminateWorkers kills a child that ignores SIGTERM after 2 seconds, and returns",
    () =>
      Effect.gen(function* () {
        const pid = yield* Effect.flatMap(Executor.submit(Tasks.ignoreSigterm, undefined), (future) =>
          Future.result(future)
        )
        const running = yield* startRunning(Tasks.sleepForever, undefined)
        const started = Date.now()
        yield* Executor.terminateWorkers
        assert.isAtLeast(Date.now() - started, 1_500)
        assert.isFalse(isAlive(pid))
        const error = yield* failureOf(running)
        assert.instanceOf(error, FutureError.BrokenExecutorError)
        assert.match(
          (error as FutureError.BrokenExecutorError).message,
          /killed by SIGKILL while it ran task "sleepForever"/
        )
      }).pipe(Effect.provide(pools[1].layer({ maxWorkers: 1 }))),
    TIMEOUT
  )

  it.live(
    "terminateWorkers ends a child with SIGTERM, killWorkers with SIGKILL",
    () =>
      Effect.gen(function* () {
        for (const operation of operations) {
          const messages = yield* Effect.gen(function* () {
            const running = yield* startRunning(Tasks.sleepForever, undefined)
            yield* operation.stop
            return ((yield* failureOf(running)) as FutureError.BrokenExecutorError).message
          }).pipe(Effect.provide(pools[1].layer({ maxWorkers: 1 })))
          assert.match(messages, new RegExp(`killed by ${operation.signal} while it ran task "sleepForever"`))
        }
      }),
    TIMEOUT
  )
})
