import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import { Executor, Future, FutureError } from "@effect-futures/core"

const fiberPool = Executor.layerFiber({ maxWorkers: 1 })

/** A task that has started and waits for the test to let it finish. */
const gatedTask = <A>(value: A) =>
  Effect.gen(function* () {
    const started = yield* Deferred.make<void>()
    const gate = yield* Deferred.make<void>()
    const task = Deferred.succeed(started, undefined).pipe(Effect.andThen(Deferred.await(gate)), Effect.as(value))
    return { task, started, open: Deferred.succeed(gate, undefined) }
  })

describe("Future states", () => {
  it.effect("a made future is pending; setRunning makes it running; complete makes it done", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      assert.strictEqual(yield* Future.state(future), "pending")
      assert.isTrue(yield* Future.setRunning(future))
      assert.isTrue(yield* Future.running(future))
      yield* Future.complete(future, Exit.succeed(1))
      assert.strictEqual(yield* Future.state(future), "succeeded")
      assert.isTrue(yield* Future.done(future))
      assert.isFalse(yield* Future.running(future))
    })
  )

  it.effect("completing twice fails with InvalidStateError", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      yield* Future.complete(future, Exit.succeed(1))
      const error = yield* Effect.flip(Future.complete(future, Exit.succeed(2)))
      assert.instanceOf(error, FutureError.InvalidStateError)
      assert.strictEqual(error.state, "succeeded")
      assert.strictEqual(yield* Future.result(future), 1)
    })
  )

  it.effect("completing a cancelled future fails with InvalidStateError", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      yield* Future.cancel(future)
      const error = yield* Effect.flip(Future.complete(future, Exit.succeed(2)))
      assert.strictEqual(error.state, "cancelled")
    })
  )

  it.effect("setRunning returns false on a cancelled future and fails on a running one", () =>
    Effect.gen(function* () {
      const cancelled = yield* Future.make<number>()
      yield* Future.cancel(cancelled)
      assert.isFalse(yield* Future.setRunning(cancelled))
      const running = yield* Future.make<number>()
      yield* Future.setRunning(running)
      const error = yield* Effect.flip(Future.setRunning(running))
      assert.instanceOf(error, FutureError.InvalidStateError)
    })
  )

  it.effect("an exit of only interruptions cancels the future", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      yield* Future.setRunning(future)
      yield* Future.complete(future, Exit.interrupt())
      assert.isTrue(yield* Future.cancelled(future))
      const error = yield* Effect.flip(Future.result(future))
      assert.instanceOf(error, FutureError.CancelledError)
    })
  )
})

describe("Future.cancel", () => {
  it.effect("cancel on a pending future returns true, runs its callbacks once, and its task never starts", () =>
    Effect.gen(function* () {
      const blocker = yield* gatedTask("blocker")
      yield* Executor.submit(blocker.task)
      yield* Deferred.await(blocker.started)
      let started = false
      const queued = yield* Executor.submit(Effect.sync(() => (started = true)))
      let calls = 0
      yield* Future.addDoneCallback(queued, () => {
        calls++
      })
      assert.strictEqual(yield* Future.state(queued), "pending")
      assert.isTrue(yield* Future.cancel(queued))
      assert.isTrue(yield* Future.cancelled(queued))
      assert.strictEqual(calls, 1)
      assert.isTrue(yield* Future.cancel(queued)) // cancelled again: still true, no second callback
      assert.strictEqual(calls, 1)
      yield* blocker.open
      yield* Executor.shutdown({ wait: true })
      assert.isFalse(started)
      assert.strictEqual(calls, 1)
    }).pipe(Effect.provide(fiberPool))
  )

  it.effect("cancel returns false while running and leaves the task running", () =>
    Effect.gen(function* () {
      const gated = yield* gatedTask(7)
      const future = yield* Executor.submit(gated.task)
      yield* Deferred.await(gated.started)
      assert.isFalse(yield* Future.cancel(future))
      assert.strictEqual(yield* Future.state(future), "running")
      yield* gated.open
      assert.strictEqual(yield* Future.result(future), 7)
    }).pipe(Effect.provide(fiberPool))
  )

  it.effect("cancel returns false on a finished future", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Effect.succeed(1))
      yield* Future.await(future)
      assert.isFalse(yield* Future.cancel(future))
      assert.strictEqual(yield* Future.state(future), "succeeded")
    }).pipe(Effect.provide(fiberPool))
  )
})

describe("Future.interrupt", () => {
  it.effect("interrupt stops a running task, runs its finalizers, and the future ends cancelled", () =>
    Effect.gen(function* () {
      let finalized = false
      const started = yield* Deferred.make<void>()
      const future = yield* Executor.submit(
        Deferred.succeed(started, undefined).pipe(
          Effect.andThen(Effect.never),
          Effect.onInterrupt(() => Effect.sync(() => (finalized = true)))
        )
      )
      yield* Deferred.await(started)
      assert.isTrue(yield* Future.interrupt(future))
      assert.isTrue(finalized)
      assert.strictEqual(yield* Future.state(future), "cancelled")
      const exit = yield* Future.await(future)
      assert.isTrue(Exit.isFailure(exit) && Cause.findErrorOption(exit.cause).pipe(Option.isSome))
    }).pipe(Effect.provide(fiberPool))
  )

  it.effect("interrupt on a pending future cancels it; on a finished one returns false", () =>
    Effect.gen(function* () {
      const blocker = yield* gatedTask(0)
      yield* Executor.submit(blocker.task)
      yield* Deferred.await(blocker.started)
      const queued = yield* Executor.submit(Effect.succeed(1))
      assert.isTrue(yield* Future.interrupt(queued))
      assert.isTrue(yield* Future.cancelled(queued))
      yield* blocker.open
      const finished = yield* Executor.submit(Effect.succeed(2))
      yield* Future.await(finished)
      assert.isFalse(yield* Future.interrupt(finished))
    }).pipe(Effect.provide(fiberPool))
  )

  it.effect("interrupting the fiber that waits on result does not cancel the future", () =>
    Effect.gen(function* () {
      const gated = yield* gatedTask("done")
      const future = yield* Executor.submit(gated.task)
      const waiter = yield* Effect.forkChild(Future.result(future))
      yield* Deferred.await(gated.started)
      yield* Fiber.interrupt(waiter)
      assert.strictEqual(yield* Future.state(future), "running")
      yield* gated.open
      assert.strictEqual(yield* Future.result(future), "done")
    }).pipe(Effect.provide(fiberPool))
  )
})

describe("Future.result and Future.exception", () => {
  it.effect("result succeeds with the value and fails with the typed error", () =>
    Effect.gen(function* () {
      const ok = yield* Executor.submit(Effect.succeed(42))
      assert.strictEqual(yield* Future.result(ok), 42)
      const failed = yield* Executor.submit(Effect.fail("out of stock" as const))
      assert.strictEqual(yield* Effect.flip(Future.result(failed)), "out of stock")
      assert.strictEqual(yield* Future.state(failed), "failed")
    }).pipe(Effect.provide(fiberPool))
  )

  it.effect("result with a timeout fails with TimeoutError and leaves the future unchanged", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Effect.succeed("late").pipe(Effect.delay("10 seconds")))
      const waiter = yield* Effect.forkChild(Effect.flip(Future.result(future, { timeout: "1 second" })))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(waiter)
      assert.isTrue(Cause.isTimeoutError(error))
      assert.strictEqual(yield* Future.state(future), "running")
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual(yield* Future.result(future), "late")
    }).pipe(Effect.provide(fiberPool))
  )

  it.effect("exception with a timeout fails with TimeoutError without changing the future", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number, string>()
      const waiter = yield* Effect.forkChild(Effect.flip(future.pipe(Future.exception({ timeout: 500 }))))
      yield* TestClock.adjust(500)
      assert.isTrue(Cause.isTimeoutError(yield* Fiber.join(waiter)))
      assert.strictEqual(yield* Future.state(future), "pending")
    })
  )

  it.effect("result of a cancelled future fails with CancelledError; so does exception", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number, string>()
      yield* Future.cancel(future)
      assert.instanceOf(yield* Effect.flip(Future.result(future)), FutureError.CancelledError)
      assert.instanceOf(yield* Effect.flip(Future.exception(future)), FutureError.CancelledError)
    })
  )

  it.effect("exception returns the stored error without raising it, and none on success", () =>
    Effect.gen(function* () {
      const failed = yield* Executor.submit(Effect.fail("boom"))
      assert.deepStrictEqual(yield* Future.exception(failed), Option.some("boom"))
      const ok = yield* Executor.submit(Effect.succeed(1))
      assert.deepStrictEqual(yield* Future.exception(ok), Option.none())
    }).pipe(Effect.provide(fiberPool))
  )

  it.effect("a task that dies ends failed; result and exception re-raise the defect as a defect", () =>
    Effect.gen(function* () {
      const defect = new Error("bug")
      const future = yield* Executor.submit(Effect.die(defect))
      yield* Future.await(future)
      assert.strictEqual(yield* Future.state(future), "failed")
      const resultExit = yield* Effect.exit(Future.result(future))
      assert.isTrue(Exit.isFailure(resultExit) && Cause.hasDies(resultExit.cause))
      const exceptionExit = yield* Effect.exit(Future.exception(future))
      assert.isTrue(Exit.isFailure(exceptionExit) && Cause.hasDies(exceptionExit.cause))
      assert.strictEqual(Cause.squash((exceptionExit as Exit.Failure<unknown, unknown>).cause), defect)
    }).pipe(Effect.provide(fiberPool))
  )

  it.effect("result is data-last too", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Effect.succeed("piped"))
      assert.strictEqual(yield* future.pipe(Future.result()), "piped")
    }).pipe(Effect.provide(fiberPool))
  )
})

describe("Future.addDoneCallback", () => {
  it.effect("on a done future the callback runs at once, before addDoneCallback returns", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      yield* Future.complete(future, Exit.succeed(1))
      const seen: Array<number> = []
      yield* Future.addDoneCallback(future, () => {
        seen.push(1)
      })
      assert.deepStrictEqual(seen, [1])
    })
  )

  it.effect("several callbacks run once each, in registration order, also Effect callbacks", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<string>()
      const seen: Array<string> = []
      yield* Future.addDoneCallback(future, () => {
        seen.push("first")
      })
      yield* future.pipe(Future.addDoneCallback(() => Effect.sync(() => seen.push("second"))))
      yield* Future.addDoneCallback(future, (done) =>
        Effect.flatMap(Future.result(done), (value) => Effect.sync(() => seen.push(`third:${value}`))).pipe(
          Effect.orDie
        )
      )
      assert.deepStrictEqual(seen, [])
      yield* Future.complete(future, Exit.succeed("x"))
      assert.deepStrictEqual(seen, ["first", "second", "third:x"])
      yield* Future.cancel(future)
      assert.deepStrictEqual(seen, ["first", "second", "third:x"])
    })
  )

  it.effect("a callback that throws, fails or dies is logged and the rest still run", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      const seen: Array<string> = []
      yield* Future.addDoneCallback(future, () => {
        throw new Error("thrown in a callback")
      })
      yield* Future.addDoneCallback(future, () => Effect.fail("failed in a callback"))
      yield* Future.addDoneCallback(future, () => Effect.die("died in a callback"))
      yield* Future.addDoneCallback(future, () => {
        seen.push("last")
      })
      yield* Future.complete(future, Exit.succeed(1))
      assert.deepStrictEqual(seen, ["last"])
      assert.strictEqual(yield* Future.result(future), 1)
    })
  )

  it.effect("callbacks run after waiters are woken, in the completing fiber", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      let observedInCallback: string | undefined
      yield* Future.addDoneCallback(future, () =>
        Effect.map(Future.state(future), (state) => {
          observedInCallback = state
        })
      )
      const waiter = yield* Effect.forkChild(Future.result(future))
      yield* Effect.yieldNow
      yield* Future.complete(future, Exit.succeed(5))
      assert.strictEqual(observedInCallback, "succeeded")
      assert.strictEqual(yield* Fiber.join(waiter), 5)
    })
  )
})

describe("bridges", () => {
  it.live("fromPromise resolves to the value; interrupting the future aborts its AbortSignal", () =>
    Effect.gen(function* () {
      const ok = yield* Future.fromPromise(() => Promise.resolve("resolved"))
      assert.strictEqual(yield* Future.result(ok), "resolved")

      let aborted = false
      const pending = yield* Future.fromPromise(
        (signal) =>
          new Promise<string>((resolve) => {
            const timer = setTimeout(() => resolve("never"), 60_000)
            signal.addEventListener("abort", () => {
              aborted = true
              clearTimeout(timer)
            })
          })
      )
      assert.isTrue(yield* Future.running(pending))
      assert.isTrue(yield* Future.interrupt(pending))
      assert.isTrue(aborted)
      assert.isTrue(yield* Future.cancelled(pending))
    })
  )

  it.live("fromPromise maps a rejection with catch, else to UnknownError", () =>
    Effect.gen(function* () {
      const typed = yield* Future.fromPromise(() => Promise.reject(new Error("nope")), {
        catch: (error) => ({ _tag: "FetchError" as const, message: (error as Error).message })
      })
      assert.deepStrictEqual(yield* Effect.flip(Future.result(typed)), { _tag: "FetchError", message: "nope" })
      const untyped = yield* Future.fromPromise(() => Promise.reject(new Error("nope")))
      const error = yield* Effect.flip(Future.result(untyped))
      assert.instanceOf(error, FutureError.UnknownError)
      assert.strictEqual(error.message, "nope")
    })
  )

  it.effect("fromPromise futures outlive the fiber that created them", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<string>()
      const future = yield* Effect.scoped(Future.fromPromise(() => Effect.runPromise(Deferred.await(gate))))
      yield* Deferred.succeed(gate, "still alive")
      assert.strictEqual(yield* Future.result(future), "still alive")
    })
  )

  it.effect("fromSync: a value succeeds; a throw becomes the mapped typed error or UnknownError", () =>
    Effect.gen(function* () {
      const ok = yield* Future.fromSync(() => 6 * 7)
      assert.strictEqual(yield* Future.result(ok), 42)
      const mapped = yield* Future.fromSync(
        () => {
          throw new RangeError("too big")
        },
        { catch: (error) => new FutureError.TaskError({ name: "RangeError", message: (error as Error).message }) }
      )
      const typed = yield* Effect.flip(Future.result(mapped))
      assert.instanceOf(typed, FutureError.TaskError)
      assert.strictEqual(typed.message, "too big")
      const unmapped = yield* Future.fromSync((): number => {
        throw "a string"
      })
      const unknown = yield* Effect.flip(Future.result(unmapped))
      assert.instanceOf(unknown, FutureError.UnknownError)
      assert.strictEqual(unknown.cause, "a string")
    })
  )

  it("toPromise resolves with the value and rejects with the stored error, from plain async code", async () => {
    const ok = await Effect.runPromise(Future.fromSync(() => "value"))
    assert.strictEqual(await Future.toPromise(ok), "value")
    const failed = await Effect.runPromise(
      Effect.gen(function* () {
        const future = yield* Future.make<number, FutureError.TaskError>()
        yield* Future.complete(future, Exit.fail(new FutureError.TaskError({ name: "E", message: "stored" })))
        return future
      })
    )
    const rejection = await Future.toPromise(failed).then(
      () => undefined,
      (error: unknown) => error
    )
    assert.instanceOf(rejection, FutureError.TaskError)
    const cancelled = await Effect.runPromise(Effect.tap(Future.make<number>(), Future.cancel))
    const cancelledRejection = await Future.toPromise(cancelled).catch((error: unknown) => error)
    assert.instanceOf(cancelledRejection, FutureError.CancelledError)
  })

  it("toPromise waits for a future that is not done yet", async () => {
    const future = await Effect.runPromise(Future.make<number>())
    const promise = Future.toPromise(future)
    await Effect.runPromise(Future.complete(future, Exit.succeed(3)))
    assert.strictEqual(await promise, 3)
  })
})
