import { Executor, Future, FutureError, Task } from "@effect-futures/core"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, Schema, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { TestExecutor } from "../src/index.ts"

const layer = TestExecutor.layer({ maxWorkers: 2 })

const errorOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

describe("TestExecutor", () => {
  it.effect("a task does not start until the test runs it", () =>
    Effect.gen(function* () {
      let ran = false
      const future = yield* Executor.submit(Effect.sync(() => (ran = true)))
      expect(yield* Future.state(future)).toBe("pending")
      expect(yield* TestExecutor.queue).toEqual([future])
      expect(ran).toBe(false)
      expect(yield* TestExecutor.runNext).toEqual(Option.some(future))
      expect(ran).toBe(true)
      expect(yield* Future.result(future)).toBe(true)
    }).pipe(Effect.provide(layer))
  )

  it.effect("runNext starts the oldest queued task, and nothing while every worker is busy", () =>
    Effect.gen(function* () {
      const futures = yield* Effect.forEach([1, 2, 3], () => Executor.submit(Effect.never))
      expect(yield* TestExecutor.runNext).toEqual(Option.some(futures[0]))
      expect(yield* TestExecutor.runNext).toEqual(Option.some(futures[1]))
      expect(yield* TestExecutor.runNext).toEqual(Option.none())
      expect(yield* TestExecutor.running).toHaveLength(2)
      expect(yield* TestExecutor.queue).toEqual([futures[2]])
      expect((yield* Executor.stats).busy).toBe(2)
      expect((yield* Executor.stats).queued).toBe(1)
      // A task that ends frees its worker; the next one still waits for the test.
      yield* Future.interrupt(futures[0]!)
      expect(yield* Future.state(futures[2]!)).toBe("pending")
      expect(yield* TestExecutor.runAll).toEqual([futures[2]])
      expect(yield* TestExecutor.runNext).toEqual(Option.none())
    }).pipe(Effect.provide(layer))
  )

  it.effect("runNext skips a future cancelled while it was queued", () =>
    Effect.gen(function* () {
      const [first, second] = yield* Effect.forEach([1, 2], (n) => Executor.submit(Effect.succeed(n)))
      expect(yield* Future.cancel(first!)).toBe(true)
      expect(yield* TestExecutor.runNext).toEqual(Option.some(second))
      expect(yield* TestExecutor.runNext).toEqual(Option.none())
      expect(yield* Executor.stats).toMatchObject({ queued: 0, completed: 1, cancelled: 1 })
    }).pipe(Effect.provide(layer))
  )

  it.effect("complete ends a pending future at once: its task never runs", () =>
    Effect.gen(function* () {
      let ran = false
      const future = yield* Executor.submit(Effect.sync(() => (ran = true)))
      yield* TestExecutor.complete(future, Exit.succeed(false))
      expect(yield* Future.result(future)).toBe(false)
      expect(yield* TestExecutor.runNext).toEqual(Option.none())
      expect(ran).toBe(false)
      expect((yield* Executor.stats).queued).toBe(0)
      // Data-last, in a pipe.
      const piped = yield* Executor.submit(Effect.succeed(1))
      yield* piped.pipe(TestExecutor.complete(Exit.succeed(2)))
      expect(yield* Future.result(piped)).toBe(2)
    }).pipe(Effect.provide(layer))
  )

  it.effect("complete interrupts a running task, whose finalizers run before its future ends", () =>
    Effect.gen(function* () {
      const log: Array<string> = []
      const future = yield* Executor.submit(
        Effect.never.pipe(Effect.as(0), Effect.ensuring(Effect.sync(() => log.push("finalizer"))))
      )
      yield* TestExecutor.runNext
      yield* Future.addDoneCallback(future, () => void log.push("done"))
      yield* TestExecutor.complete(future, Exit.fail("declined"))
      expect(log).toEqual(["finalizer", "done"])
      expect(errorOf(yield* Future.await(future))).toBe("declined")
      expect(yield* TestExecutor.running).toEqual([])
    }).pipe(Effect.provide(layer))
  )

  it.effect("complete with an interruption cancels the future", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Effect.never)
      yield* TestExecutor.runNext
      yield* TestExecutor.complete(future, Exit.interrupt())
      expect(yield* Future.state(future)).toBe("cancelled")
      expect(errorOf(yield* Future.await(future))).toBeInstanceOf(FutureError.CancelledError)
    }).pipe(Effect.provide(layer))
  )

  it.effect("complete and crash fail with InvalidStateError on a done future or another executor's", () =>
    Effect.gen(function* () {
      const done = yield* Executor.submit(Effect.succeed(1))
      yield* TestExecutor.runNext
      expect(yield* Effect.flip(TestExecutor.complete(done, Exit.succeed(2)))).toBeInstanceOf(
        FutureError.InvalidStateError
      )
      expect(yield* Future.result(done)).toBe(1)
      const foreign = yield* Future.make<number>()
      expect(yield* Effect.flip(TestExecutor.complete(foreign, Exit.succeed(2)))).toBeInstanceOf(
        FutureError.InvalidStateError
      )
      expect(yield* Effect.flip(TestExecutor.crash(foreign))).toBeInstanceOf(FutureError.InvalidStateError)
      const pending = yield* Executor.submit(Effect.never)
      expect(yield* Effect.flip(TestExecutor.crash(pending))).toBeInstanceOf(FutureError.InvalidStateError)
      expect(yield* Future.state(pending)).toBe("pending")
    }).pipe(Effect.provide(layer))
  )

  it.effect("crash fails a running future with BrokenExecutorError after interrupting its task", () =>
    Effect.gen(function* () {
      let released = false
      const future = yield* Executor.submit(Effect.never.pipe(Effect.ensuring(Effect.sync(() => (released = true)))))
      yield* TestExecutor.runNext
      yield* TestExecutor.crash(future)
      expect(released).toBe(true)
      expect(errorOf(yield* Future.await(future))).toBeInstanceOf(FutureError.BrokenExecutorError)
      expect((yield* Executor.stats).failed).toBe(1)
    }).pipe(Effect.provide(layer))
  )

  it.effect("awaitSubmitted waits until the code under test has submitted that many tasks", () =>
    Effect.gen(function* () {
      const submitter = yield* Effect.forkChild(Effect.forEach([1, 2, 3], (n) => Executor.submit(Effect.succeed(n))))
      const futures = yield* TestExecutor.awaitSubmitted(3)
      expect(futures).toEqual(yield* Fiber.join(submitter))
      expect(yield* TestExecutor.submitted).toEqual(futures)
    }).pipe(Effect.provide(layer))
  )

  it.effect("tasks sleep on the test's clock", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Effect.as(Effect.sleep("1 minute"), "woke"))
      yield* TestExecutor.runNext
      yield* TestClock.adjust("59 seconds")
      expect(yield* Future.state(future)).toBe("running")
      yield* TestClock.adjust("1 second")
      expect(yield* Future.result(future)).toBe("woke")
    }).pipe(Effect.provide(layer))
  )

  it.effect("a task's timeout counts from its start, on the test's clock; the future fails with TimeoutError", () =>
    Effect.gen(function* () {
      const wait = Task.make("wait", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.as(Effect.never, n)
      })
      const future = yield* Executor.submit(wait, 1, { timeout: "5 seconds" })
      yield* TestClock.adjust("10 seconds")
      expect(yield* Future.state(future)).toBe("pending")
      yield* TestExecutor.runNext
      yield* TestClock.adjust("4 seconds")
      expect(yield* Future.state(future)).toBe("running")
      yield* TestClock.adjust("1 second")
      expect(Cause.isTimeoutError(yield* Effect.flip(Future.result(future)))).toBe(true)
      expect(yield* TestExecutor.running).toEqual([])
    }).pipe(Effect.provide(layer))
  )

  it.effect("a timeout is a deadline: the future fails at it while the task goes on, and its slot stays taken", () =>
    Effect.gen(function* () {
      const stubborn = Task.make("stubborn", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.uninterruptible(Effect.as(Effect.sleep("10 seconds"), n))
      })
      const future = yield* Executor.submit(stubborn, 1, { timeout: "5 seconds" })
      yield* TestExecutor.runNext
      yield* TestClock.adjust("5 seconds")
      expect(yield* Future.state(future)).toBe("failed")
      expect(Cause.isTimeoutError(yield* Effect.flip(Future.result(future)))).toBe(true)
      // The task cannot be interrupted: it still holds its slot until it ends.
      expect(yield* TestExecutor.running).toEqual([future])
      yield* TestClock.adjust("5 seconds")
      expect(yield* TestExecutor.running).toEqual([])
      expect(yield* Future.state(future)).toBe("failed")
    }).pipe(Effect.provide(layer))
  )

  it.effect("a timeout of 0 or below fails the future with TimeoutError as soon as its task starts", () =>
    Effect.gen(function* () {
      const wait = Task.make("wait", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.as(Effect.never, n)
      })
      for (const timeout of [0, -1] as const) {
        const future = yield* Executor.submit(wait, 1, { timeout })
        expect(yield* Future.state(future)).toBe("pending")
        yield* TestExecutor.runNext
        yield* TestClock.adjust(0)
        expect(Cause.isTimeoutError(yield* Effect.flip(Future.result(future)))).toBe(true)
        // The task was interrupted too: nothing holds a slot.
        expect(yield* TestExecutor.running).toEqual([])
        expect((yield* Executor.stats).busy).toBe(0)
      }
    }).pipe(Effect.provide(layer))
  )

  it.effect("a Task runs too, with its typed error", () =>
    Effect.gen(function* () {
      class Negative extends Schema.TaggedError<Negative>()("Negative", { n: Schema.Number }) {}
      const root = Task.make("root", {
        payload: Schema.Number,
        success: Schema.Number,
        failure: Negative,
        run: (n) => (n < 0 ? Effect.fail(new Negative({ n })) : Effect.succeed(Math.sqrt(n)))
      })
      const ok = yield* Executor.submit(root, 9)
      const negative = yield* Executor.submit(root, -1)
      yield* TestExecutor.runAll
      expect(yield* Future.result(ok)).toBe(3)
      expect(yield* Effect.flip(Future.result(negative))).toBeInstanceOf(Negative)
    }).pipe(Effect.provide(layer))
  )

  it.effect("Executor.map runs as the test starts its tasks, in submission order", () =>
    Effect.gen(function* () {
      // The first input sleeps longest: results still come in submission order.
      const slow = (n: number) => Effect.as(Effect.sleep(`${4 - n} seconds`), n * 10)
      const mapping = yield* Effect.forkChild(Stream.runCollect(Executor.map(slow, [1, 2, 3])))
      yield* TestExecutor.awaitSubmitted(3) // the default buffer is twice the workers: all three
      expect(yield* TestExecutor.runAll).toHaveLength(2)
      yield* TestClock.adjust("3 seconds")
      expect(yield* TestExecutor.runAll).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(mapping)).toEqual([10, 20, 30])
    }).pipe(Effect.provide(layer))
  )

  it.effect("Executor.map with chunkSize submits one task per chunk", () =>
    Effect.gen(function* () {
      const square = Task.make("square", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.succeed(n * n)
      })
      const mapping = yield* Effect.forkChild(
        Stream.runCollect(Executor.map(square, [1, 2, 3, 4, 5], { chunkSize: 2 }))
      )
      expect(yield* TestExecutor.awaitSubmitted(3)).toHaveLength(3) // [1, 2], [3, 4], [5]
      yield* TestExecutor.runAll
      yield* TestExecutor.runAll
      expect(yield* Fiber.join(mapping)).toEqual([1, 4, 9, 16, 25])
      expect((yield* TestExecutor.submitted).length).toBe(3)
    }).pipe(Effect.provide(layer))
  )

  it.effect("shutdown({ wait: true }) waits until the test has run every task", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Effect.succeed(1))
      const shutdown = yield* Effect.forkChild(Executor.shutdown({ wait: true }), { startImmediately: true })
      expect(errorOf(yield* Effect.exit(Executor.submit(Effect.void)))).toBeInstanceOf(
        FutureError.ExecutorShutdownError
      )
      expect(shutdown.pollUnsafe()).toBeUndefined()
      yield* TestExecutor.runNext
      yield* Fiber.join(shutdown)
      expect(yield* Future.result(future)).toBe(1)
    }).pipe(Effect.provide(layer))
  )

  it.effect("closing its scope cancels what the test left queued and interrupts what it left running", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      let released = false
      const [running, queued, handDone] = yield* Effect.gen(function* () {
        const running = yield* Executor.submit(Effect.never.pipe(Effect.ensuring(Effect.sync(() => (released = true)))))
        const handDone = yield* Executor.submit(Effect.never)
        const queued = yield* Executor.submit(Effect.never)
        yield* TestExecutor.runNext
        yield* TestExecutor.runNext
        // Completed by hand while its task still runs: the close stops the task itself.
        yield* Future.complete(handDone, Exit.succeed(undefined as never))
        return [running, queued, handDone] as const
      }).pipe(Effect.provide(layer), Scope.provide(scope))
      yield* Scope.close(scope, Exit.void)
      expect(yield* Effect.forEach([running, queued, handDone], Future.state)).toEqual([
        "cancelled",
        "cancelled",
        "succeeded"
      ])
      expect(released).toBe(true)
    })
  )

  it.effect("maxWorkers must be a positive integer", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Effect.provide(Effect.void, TestExecutor.layer({ maxWorkers: 0 })))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      expect(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause))).toContain("maxWorkers")
    })
  )
})
