import { Executor, Future, FutureError, type Task } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option, Stream } from "effect"
import { ClusterExecutor } from "../src/index.ts"
import * as Tasks from "./fixtures/cluster.tasks.ts"
import { elsewhere, misspelled } from "./fixtures/other.tasks.ts"

const module = new URL("./fixtures/cluster.tasks.ts", import.meta.url)

const cluster = (options?: Partial<ClusterExecutor.TestOptions>) => ClusterExecutor.layerTest({ module, ...options })

const run = <I, A, E>(task: Task.Task<I, A, E>, input: I) =>
  Effect.flatMap(Executor.submit(task, input), (future) => Future.result(future))

/** Waits for something the runner does, with a bound, so that a broken test fails instead of hanging. */
const within = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.timeoutOrElse(effect, { duration: "10 seconds", orElse: () => Effect.die(new Error("timed out")) })

describe("ClusterExecutor.layerTest", () => {
  it.live("a task's value comes back from the runner", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* run(Tasks.double, 21), 42)
    }).pipe(Effect.provide(cluster()))
  )

  it.live("a volatile task's value comes back too", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* run(Tasks.double, 4), 8)
    }).pipe(Effect.provide(cluster({ durability: "volatile" })))
  )

  it.live("a typed failure arrives as an instance of its class", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Tasks.checkLimit, -5)
      const error = yield* Future.exception(future)
      assert.isTrue(Option.isSome(error))
      const value = Option.getOrThrow(error)
      assert.instanceOf(value, Tasks.PrimeLimitError)
      assert.strictEqual((value as Tasks.PrimeLimitError).limit, -5)
      assert.strictEqual(yield* Future.state(future), "failed")
    }).pipe(Effect.provide(cluster()))
  )

  it.live("a defect is re-raised as a defect with its name and message", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Tasks.explode, "kaboom")
      const exit = yield* Future.await(future)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause) as Error
      assert.strictEqual(defect.name, "TypeError")
      assert.strictEqual(defect.message, "kaboom")
      assert.strictEqual(yield* Future.state(future), "failed")
    }).pipe(Effect.provide(cluster()))
  )

  it.live("a Date, a bigint and a Map cross as themselves (the task's own JSON form)", () =>
    Effect.gen(function* () {
      const result = yield* run(Tasks.laterStamp, {
        at: new Date("2026-12-01T00:00:00.000Z"),
        amount: 2n ** 70n,
        tags: new Map([["a", 1]])
      })
      assert.instanceOf(result.at, Date)
      assert.strictEqual(result.at.toISOString(), "2026-12-01T00:00:01.000Z")
      assert.strictEqual(result.amount, 2n ** 71n)
      assert.deepStrictEqual(
        [...result.tags],
        [
          ["a", 1],
          ["seen", 1]
        ]
      )
    }).pipe(Effect.provide(cluster()))
  )

  it.live("map streams the results in submission order", () =>
    Effect.gen(function* () {
      const inputs = Array.from({ length: 40 }, (_, i) => i)
      const results = yield* Stream.runCollect(Executor.map(Tasks.double, inputs, { buffer: 8 }))
      assert.deepStrictEqual(
        results,
        inputs.map((n) => 2 * n)
      )
    }).pipe(Effect.provide(cluster({ maxWorkers: 4 })))
  )

  it.live("a task the runner's module does not export fails with TaskEncodeError, not a hang", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(elsewhere, 1)
      const error = Option.getOrThrow(yield* within(Future.exception(future)))
      assert.instanceOf(error, FutureError.TaskEncodeError)
      assert.include((error as FutureError.TaskEncodeError).message, `"elsewhere"`)
    }).pipe(Effect.provide(cluster()))
  )

  it.live("an unknown task name's error lists the runner module's tasks and suggests the closest", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(misspelled, 1)
      const error = Option.getOrThrow(yield* within(Future.exception(future)))
      assert.instanceOf(error, FutureError.TaskEncodeError)
      const message = (error as FutureError.TaskEncodeError).message
      assert.include(message, `no runner serves a task named "dobule"`)
      assert.include(message, `(did you mean "double"?)`)
      assert.match(message, /; its tasks are "checkLimit", "countRun", "double"/)
    }).pipe(Effect.provide(cluster()))
  )

  it.live("a payload or result its schema rejects names the task and the field's path", () =>
    Effect.gen(function* () {
      const input = yield* Effect.flip(
        Executor.submit(Tasks.laterStamp, { at: "yesterday" as unknown as Date, amount: 1n, tags: new Map() })
      )
      assert.instanceOf(input, FutureError.TaskEncodeError)
      assert.strictEqual(input.message, `task "laterStamp": input.at: Expected a valid Date, got "yesterday"`)
      const result = Option.getOrThrow(
        yield* within(Future.exception(yield* Executor.submit(Tasks.wrongResult, undefined)))
      )
      assert.instanceOf(result, FutureError.TaskEncodeError)
      assert.strictEqual(
        (result as FutureError.TaskEncodeError).message,
        `task "wrongResult": result.text: Expected string, got 42`
      )
    }).pipe(Effect.provide(cluster()))
  )

  it.live("cancel while queued in the client: true, and the task is never sent", () =>
    Effect.gen(function* () {
      const blocker = yield* Executor.submit(Tasks.hold, "cancel-blocker")
      yield* within(Deferred.await(Tasks.holdFor("cancel-blocker").started))
      const queued = yield* Executor.submit(Tasks.countRun, "cancel-queued")
      assert.strictEqual(yield* Future.state(queued), "pending")
      assert.isTrue(yield* Future.cancel(queued))
      assert.strictEqual(yield* Future.state(queued), "cancelled")
      yield* Deferred.succeed(Tasks.holdFor("cancel-blocker").release, 1)
      assert.strictEqual(yield* Future.result(blocker), 1)
      // The slot went on to nothing: the cancelled task never ran.
      assert.strictEqual(yield* run(Tasks.countRun, "cancel-after"), 1)
      assert.isUndefined(Tasks.runs.get("cancel-queued"))
    }).pipe(Effect.provide(cluster({ maxWorkers: 1 })))
  )

  it.live("interrupt while running stops the runner's handler, and the future ends cancelled", () =>
    Effect.gen(function* () {
      const entry = Tasks.holdFor("interrupt-me")
      const future = yield* Executor.submit(Tasks.hold, "interrupt-me")
      yield* within(Deferred.await(entry.started))
      assert.isFalse(yield* Future.cancel(future))
      assert.isTrue(yield* within(Future.interrupt(future)))
      assert.strictEqual(yield* Future.state(future), "cancelled")
      yield* within(Deferred.await(entry.stopped))
      assert.strictEqual(entry.ended, "interrupted")
    }).pipe(Effect.provide(cluster()))
  )

  it.live("a task's timeout interrupts it on the runner, and the future fails with TimeoutError", () =>
    Effect.gen(function* () {
      const entry = Tasks.holdFor("timeout")
      const future = yield* Executor.submit(Tasks.hold, "timeout", { timeout: "100 millis" })
      const error = Option.getOrThrow(yield* within(Future.exception(future)))
      assert.instanceOf(error, FutureError.TimeoutError)
      yield* within(Deferred.await(entry.stopped))
      assert.strictEqual(entry.ended, "interrupted")
    }).pipe(Effect.provide(cluster()))
  )

  it.live(
    "a timeout is a deadline: a synchronous task's late result is dropped, the future fails with TimeoutError",
    () =>
      Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.spin, 500, { timeout: "100 millis" })
        const error = Option.getOrThrow(yield* within(Future.exception(future)))
        assert.instanceOf(error, FutureError.TimeoutError)
        assert.strictEqual(yield* run(Tasks.double, 2), 4)
      }).pipe(Effect.provide(cluster()))
  )

  it.live("a timeout of 0 or below fails with TimeoutError at once, as Future.result's does", () =>
    Effect.gen(function* () {
      for (const timeout of [0, -1] as const) {
        const future = yield* Executor.submit(Tasks.spin, 50, { timeout })
        const error = Option.getOrThrow(yield* within(Future.exception(future)))
        assert.instanceOf(error, FutureError.TimeoutError)
      }
    }).pipe(Effect.provide(cluster()))
  )

  it.live("retry without an id runs the task again; with an id, a durable attempt gets the stored reply", () =>
    Effect.gen(function* () {
      const retry = { times: 3, while: () => true }
      const fresh = yield* Executor.submit(Tasks.succeedsThirdTime, "retry-fresh", { retry })
      assert.strictEqual(yield* within(Future.result(fresh)), 3)
      assert.strictEqual(Tasks.runs.get("retry-fresh"), 3)

      const keyed = yield* Executor.submit(Tasks.succeedsThirdTime, "retry-keyed", { retry, id: "retry-keyed" })
      const error = Option.getOrThrow(yield* within(Future.exception(keyed)))
      assert.instanceOf(error, Tasks.NotYetError)
      assert.strictEqual((error as Tasks.NotYetError).attempt, 1)
      assert.strictEqual(Tasks.runs.get("retry-keyed"), 1)
    }).pipe(Effect.provide(cluster()))
  )

  it.live("shutdown waits for the running task; later submits fail with ExecutorShutdownError", () =>
    Effect.gen(function* () {
      const entry = Tasks.holdFor("shutdown-wait")
      const future = yield* Executor.submit(Tasks.hold, "shutdown-wait")
      yield* within(Deferred.await(entry.started))
      const shutdown = yield* Effect.forkChild(Executor.shutdown({ wait: true }), { startImmediately: true })
      const refused = yield* Effect.flip(Executor.submit(Tasks.double, 1))
      assert.instanceOf(refused, FutureError.ExecutorShutdownError)
      assert.isUndefined(shutdown.pollUnsafe())
      yield* Deferred.succeed(entry.release, 7)
      yield* within(Fiber.join(shutdown))
      assert.strictEqual(yield* Future.result(future), 7)
    }).pipe(Effect.provide(cluster()))
  )

  it.live("shutdown with cancelFutures cancels the queued tasks and lets the running one finish", () =>
    Effect.gen(function* () {
      const entry = Tasks.holdFor("shutdown-cancel")
      const running = yield* Executor.submit(Tasks.hold, "shutdown-cancel")
      yield* within(Deferred.await(entry.started))
      const queued = yield* Executor.submit(Tasks.countRun, "shutdown-cancelled")
      yield* Executor.shutdown({ wait: false, cancelFutures: true })
      assert.strictEqual(yield* Future.state(queued), "cancelled")
      assert.strictEqual(yield* Future.state(running), "running")
      yield* Deferred.succeed(entry.release, 3)
      assert.strictEqual(yield* Future.result(running), 3)
      assert.isUndefined(Tasks.runs.get("shutdown-cancelled"))
      assert.instanceOf(yield* Effect.flip(Executor.submit(Tasks.double, 1)), FutureError.ExecutorShutdownError)
    }).pipe(Effect.provide(cluster({ maxWorkers: 1 })))
  )

  it.live("stats count the client's tasks: in flight, queued, completed, failed, cancelled", () =>
    Effect.gen(function* () {
      const entry = Tasks.holdFor("stats")
      const running = yield* Executor.submit(Tasks.hold, "stats")
      yield* within(Deferred.await(entry.started))
      const queued = yield* Executor.submit(Tasks.double, 1)
      const cancelled = yield* Executor.submit(Tasks.double, 2)
      yield* Future.cancel(cancelled)
      const during = yield* Executor.stats
      assert.deepStrictEqual(
        { maxWorkers: during.maxWorkers, busy: during.busy, queued: during.queued, cancelled: during.cancelled },
        { maxWorkers: 1, busy: 1, queued: 1, cancelled: 1 }
      )
      yield* Deferred.succeed(entry.release, 0)
      yield* Future.result(running)
      yield* Future.result(queued)
      yield* Future.await(yield* Executor.submit(Tasks.checkLimit, -1))
      const after = yield* Executor.stats
      assert.deepStrictEqual(
        { busy: after.busy, queued: after.queued, completed: after.completed, failed: after.failed },
        { busy: 0, queued: 0, completed: 2, failed: 1 }
      )
    }).pipe(Effect.provide(cluster({ maxWorkers: 1 })))
  )

  it.live("the same id submitted twice runs once, and both futures get its result", () =>
    Effect.gen(function* () {
      const first = yield* Executor.submit(Tasks.countRun, "same-id", { id: "order-17" })
      const second = yield* Executor.submit(Tasks.countRun, "same-id", { id: "order-17" })
      assert.deepStrictEqual([yield* Future.result(first), yield* Future.result(second)], [1, 1])
      const third = yield* Executor.submit(Tasks.countRun, "same-id", { id: "order-17" })
      assert.strictEqual(yield* Future.result(third), 1)
      assert.strictEqual(Tasks.runs.get("same-id"), 1)
      // Another id runs again.
      assert.strictEqual(yield* run(Tasks.countRun, "same-id"), 2)
    }).pipe(Effect.provide(cluster()))
  )

  it.live("closing the Layer's scope waits for the tasks (shutdown), as every executor's does", () =>
    Effect.gen(function* () {
      const entry = Tasks.holdFor("scope-close")
      const future = yield* Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.hold, "scope-close")
        yield* within(Deferred.await(entry.started))
        yield* Effect.forkDetach(Effect.andThen(Effect.sleep("50 millis"), Deferred.succeed(entry.release, 5)))
        return future
      }).pipe(Effect.provide(cluster()))
      assert.strictEqual(yield* Future.state(future), "succeeded")
      assert.strictEqual(yield* Future.result(future), 5)
    })
  )

  it.live("a program that fails while a task runs: the close interrupts it on the runner, at once", () =>
    Effect.gen(function* () {
      const entry = Tasks.holdFor("failed-program")
      const exit = yield* Effect.exit(
        Effect.gen(function* () {
          const future = yield* Executor.submit(Tasks.hold, "failed-program")
          yield* within(Deferred.await(entry.started))
          return yield* Effect.fail(future)
        }).pipe(Effect.provide(cluster()))
      )
      assert.isTrue(Exit.isFailure(exit))
      const future = Option.getOrThrow(Exit.findErrorOption(exit))
      assert.isTrue(Future.isFuture(future))
      assert.strictEqual(yield* Future.state(future as Future.Future<number, unknown>), "cancelled")
      yield* within(Deferred.await(entry.stopped))
      assert.strictEqual(entry.ended, "interrupted")
    })
  )

  it("submitting a closure to the cluster executor is a type error", () => {
    const program = Executor.submit(Effect.succeed(1)).pipe(Effect.provide(cluster()))
    // @ts-expect-error the cluster executor provides no LocalExecutor: closures cannot cross to a runner
    const checked: Effect.Effect<unknown, unknown, never> = program
    assert.isDefined(checked)
  })
})
