import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber } from "effect"
import * as fc from "fast-check"
import { FutureError } from "@effect-futures/core"
import { cancel, complete as completeFuture, FutureImpl, setRunningUnsafe } from "@effect-futures/core/internal/future"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"

interface Item {
  readonly future: FutureImpl<any, any>
}

/**
 * A lifecycle with a pool that holds `busy` units of work, and a log of the hooks it was told. Futures made by
 * `submit` are owned by it as a pool's would be.
 */
const makePool = () => {
  const log: Array<string> = []
  const pool = { busy: 0 }
  const lifecycle: Lifecycle.Lifecycle<Item> = Lifecycle.make<Item>(
    {
      idle: () => pool.busy === 0,
      interrupt: (future) =>
        Effect.sync(() => {
          log.push(`interrupt ${future.id}`)
          Lifecycle.removeRunning(lifecycle, future)
          pool.busy--
          Lifecycle.notifyIfDrained(lifecycle)
        }),
      stopWorkers: Effect.sync(() => log.push(`stopWorkers ${lifecycle.phase._tag}`)),
      onShutdown: () => log.push("onShutdown")
    },
    { kind: "test", name: "lifecycle-test", maxWorkers: 2, context: Context.empty() }
  )
  const newFuture = () => {
    const future = new FutureImpl<number, never>()
    future.owner = (done) => Lifecycle.futureEnded(lifecycle, done)
    return future
  }
  const enqueue = () => {
    const future = newFuture()
    Lifecycle.enqueue(lifecycle, { future })
    return future
  }
  /** Starts a future's task as a pool would: it is running and holds the pool busy. */
  const start = (future: FutureImpl<any, any>) => {
    setRunningUnsafe(future)
    future.startedAt = 0
    Lifecycle.addRunning(lifecycle, future)
    pool.busy++
  }
  const finish = (future: FutureImpl<any, any>) => {
    Lifecycle.removeRunning(lifecycle, future)
    pool.busy--
    Lifecycle.notifyIfDrained(lifecycle)
  }
  return { lifecycle, log, pool, newFuture, enqueue, start, finish }
}

describe("lifecycle", () => {
  it("an open executor admits; after shutdown a submit is refused with ExecutorShutdownError", () => {
    const { lifecycle, log } = makePool()
    assert.isUndefined(Lifecycle.admit(lifecycle))
    assert.isTrue(Lifecycle.beginShutdown(lifecycle))
    assert.isFalse(Lifecycle.beginShutdown(lifecycle))
    assert.strictEqual(lifecycle.phase._tag, "ShuttingDown")
    assert.instanceOf(Lifecycle.admit(lifecycle), FutureError.ExecutorShutdownError)
    assert.deepStrictEqual(log, ["onShutdown"])
  })

  it("a broken executor admits with its error, returns its pending queued items, and remembers the error after shutdown", () => {
    const { lifecycle, enqueue } = makePool()
    const first = enqueue()
    const second = enqueue()
    assert.isTrue(Effect.runSync(cancel(second)))
    const error = new FutureError.BrokenExecutorError({ message: "a worker could not start" })
    const items = Lifecycle.breakExecutor(lifecycle, error)
    assert.deepStrictEqual(
      items.map((item) => item.future),
      [first]
    )
    assert.strictEqual(lifecycle.queue.length, 0)
    assert.strictEqual(Lifecycle.admit(lifecycle), error)
    assert.deepStrictEqual(Lifecycle.breakExecutor(lifecycle, error), [])
    Lifecycle.beginShutdown(lifecycle)
    assert.instanceOf(Lifecycle.admit(lifecycle), FutureError.ExecutorShutdownError)
    assert.strictEqual(Lifecycle.brokenError(lifecycle), error)
  })

  it.effect("a queued future leaves the count when it is taken, or at once when it is cancelled", () =>
    Effect.gen(function* () {
      const { lifecycle, enqueue } = makePool()
      const first = enqueue()
      const second = enqueue()
      const third = enqueue()
      assert.strictEqual(lifecycle.stats.snapshot().queued, 3)
      assert.isTrue(yield* cancel(second))
      assert.strictEqual(lifecycle.queued, 2)
      assert.strictEqual(Lifecycle.takeQueued(lifecycle)?.future, first)
      assert.strictEqual(lifecycle.queued, 1)
      // The cancelled one is still handed out, for the pool to skip; it no longer counts.
      assert.strictEqual(Lifecycle.takeQueued(lifecycle)?.future, second)
      assert.strictEqual(lifecycle.queued, 1)
      assert.strictEqual(Lifecycle.takeQueued(lifecycle)?.future, third)
      assert.strictEqual(lifecycle.queued, 0)
      assert.isUndefined(Lifecycle.takeQueued(lifecycle))
      const stats = lifecycle.stats.snapshot()
      assert.strictEqual(stats.cancelled, 1)
    })
  )

  it.effect("shutdown with cancelFutures cancels the queue and waits until the pool is idle", () =>
    Effect.gen(function* () {
      const { lifecycle, enqueue, newFuture, start, finish } = makePool()
      const running = newFuture()
      start(running)
      const queued = enqueue()
      const fiber = yield* Effect.forkChild(Lifecycle.shutdown(lifecycle, { cancelFutures: true }))
      yield* Effect.yieldNow
      assert.strictEqual(queued.state, "cancelled")
      assert.strictEqual(lifecycle.queued, 0)
      assert.isUndefined(fiber.pollUnsafe())
      finish(running)
      yield* Fiber.join(fiber)
      assert.strictEqual(lifecycle.phase._tag, "ShuttingDown")
    })
  )

  it.effect("shutdown without wait returns at once, and the queued futures stay queued", () =>
    Effect.gen(function* () {
      const { lifecycle, enqueue, newFuture, start } = makePool()
      start(newFuture())
      const queued = enqueue()
      yield* Lifecycle.shutdown(lifecycle, { wait: false })
      assert.strictEqual(queued.state, "pending")
      assert.strictEqual(lifecycle.queued, 1)
    })
  )

  it.effect(
    "a close that fails stops the tasks through the pool's interrupt, then is Closed and stops the workers",
    () =>
      Effect.gen(function* () {
        const { lifecycle, log, enqueue, newFuture, start } = makePool()
        const running = newFuture()
        start(running)
        const queued = enqueue()
        yield* Lifecycle.close(lifecycle, Exit.die("boom"))
        assert.strictEqual(queued.state, "cancelled")
        assert.deepStrictEqual(log, ["onShutdown", `interrupt ${running.id}`, "stopWorkers Closed"])
        assert.strictEqual(lifecycle.running.length, 0)
        assert.instanceOf(Lifecycle.admit(lifecycle), FutureError.ExecutorShutdownError)
      })
  )

  it.effect("a normal close drains: it waits for the running task, then stops the workers", () =>
    Effect.gen(function* () {
      const { lifecycle, log, newFuture, start, finish } = makePool()
      const running = newFuture()
      start(running)
      const closing = yield* Effect.forkChild(Lifecycle.close(lifecycle, Exit.void))
      yield* Effect.yieldNow
      assert.isUndefined(closing.pollUnsafe())
      finish(running)
      yield* Fiber.join(closing)
      assert.deepStrictEqual(log, ["onShutdown", "stopWorkers Closed"])
    })
  )

  it.effect("awaitDrained returns at once when the pool is idle, and waits for notifyIfDrained otherwise", () =>
    Effect.gen(function* () {
      const { lifecycle, pool } = makePool()
      yield* Lifecycle.awaitDrained(lifecycle)
      pool.busy = 1
      const done = yield* Deferred.make<void>()
      const waiter = yield* Effect.forkChild(
        Effect.andThen(Lifecycle.awaitDrained(lifecycle), Deferred.succeed(done, undefined))
      )
      yield* Effect.yieldNow
      Lifecycle.notifyIfDrained(lifecycle)
      assert.isFalse(yield* Deferred.isDone(done))
      pool.busy = 0
      Lifecycle.notifyIfDrained(lifecycle)
      yield* Fiber.join(waiter)
      assert.isTrue(yield* Deferred.isDone(done))
    })
  )

  it("removeRunning keeps the others registered, in O(1), and refuses a future twice", () => {
    const { lifecycle, newFuture, start } = makePool()
    const [a, b, c] = [newFuture(), newFuture(), newFuture()]
    start(a)
    start(b)
    start(c)
    assert.isTrue(Lifecycle.removeRunning(lifecycle, a))
    assert.isFalse(Lifecycle.removeRunning(lifecycle, a))
    assert.sameMembers(lifecycle.running, [b, c])
    assert.isTrue(Lifecycle.removeRunning(lifecycle, c))
    assert.deepStrictEqual(lifecycle.running, [b])
  })

  it("a broken shutdown remembers the error, takes the queue out, and no longer serves; a second break changes nothing", () => {
    const { lifecycle, enqueue } = makePool()
    const queued = enqueue()
    Lifecycle.beginShutdown(lifecycle)
    assert.isTrue(Lifecycle.isServing(lifecycle))
    const error = new FutureError.BrokenExecutorError({ message: "the initializer failed" })
    assert.deepStrictEqual(
      Lifecycle.breakExecutor(lifecycle, error).map((item) => item.future),
      [queued]
    )
    assert.strictEqual(lifecycle.phase._tag, "ShuttingDown")
    assert.strictEqual(Lifecycle.brokenError(lifecycle), error)
    assert.isFalse(Lifecycle.isServing(lifecycle))
    const other = new FutureError.BrokenExecutorError({ message: "another" })
    assert.deepStrictEqual(Lifecycle.breakExecutor(lifecycle, other), [])
    assert.strictEqual(Lifecycle.brokenError(lifecycle), error)
  })

  it.effect("completions collected mid-change run at flush, in order; a drain waits for their done callbacks", () =>
    Effect.gen(function* () {
      const { lifecycle, newFuture, start, pool } = makePool()
      const first = newFuture()
      const second = newFuture()
      start(first)
      start(second)
      const order: Array<string> = []
      const release = yield* Deferred.make<void>()
      first.callbacks = [
        () =>
          Effect.andThen(
            Deferred.await(release),
            Effect.sync(() => order.push("callback"))
          )
      ]
      first.owner = (done) => {
        order.push(`ended ${done === first ? "first" : "second"}`)
        Lifecycle.futureEnded(lifecycle, done)
      }
      second.owner = first.owner
      Lifecycle.completeLater(lifecycle, first, Exit.succeed(1))
      Lifecycle.completeLater(lifecycle, second, Exit.succeed(2))
      assert.deepStrictEqual(order, [])
      Lifecycle.removeRunning(lifecycle, first)
      Lifecycle.removeRunning(lifecycle, second)
      pool.busy = 0
      Lifecycle.flush(lifecycle)
      assert.deepStrictEqual(order, ["ended first", "ended second"])
      assert.strictEqual(lifecycle.completing, 1)
      const drain = yield* Effect.forkChild(Lifecycle.awaitDrained(lifecycle))
      yield* Effect.yieldNow
      assert.isUndefined(drain.pollUnsafe())
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(drain)
      assert.deepStrictEqual(order, ["ended first", "ended second", "callback"])
      assert.strictEqual(lifecycle.stats.snapshot().completed, 2)
    })
  )

  it("random enqueues, cancels, takes, starts, finishes, breaks and shutdowns keep the queued count and the phase consistent", () => {
    const command = fc.oneof(
      { weight: 4, arbitrary: fc.constant("enqueue" as const) },
      { weight: 2, arbitrary: fc.nat({ max: 7 }).map((n) => ({ cancel: n })) },
      { weight: 3, arbitrary: fc.constant("take" as const) },
      { weight: 2, arbitrary: fc.nat({ max: 7 }).map((n) => ({ finish: n })) },
      { weight: 1, arbitrary: fc.constant("shutdown" as const) },
      { weight: 1, arbitrary: fc.constant("break" as const) }
    )
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const { lifecycle, enqueue, start, finish } = makePool()
        const futures: Array<FutureImpl<any, any>> = []
        let shutDown = false
        let broken: FutureError.BrokenExecutorError | undefined = undefined
        for (const step of commands) {
          if (step === "enqueue") {
            if (Lifecycle.admit(lifecycle) === undefined) futures.push(enqueue())
          } else if (step === "take") {
            const item = Lifecycle.takeQueued(lifecycle)
            if (item !== undefined && item.future.state === "pending") start(item.future)
          } else if (step === "shutdown") {
            Lifecycle.beginShutdown(lifecycle)
            shutDown = true
          } else if (step === "break") {
            const error = new FutureError.BrokenExecutorError({ message: "broken" })
            const failed = Lifecycle.breakExecutor(lifecycle, error)
            if (broken === undefined) broken = error
            else assert.deepStrictEqual(failed, [])
            for (const item of failed) Effect.runSync(Effect.ignore(completeFuture(item.future, Exit.fail(error))))
          } else if ("cancel" in step) {
            const future = futures[step.cancel]
            if (future !== undefined) Effect.runSync(cancel(future))
          } else {
            const future = futures[step.finish]
            if (future !== undefined && future.state === "running") {
              finish(future)
              Effect.runSync(Effect.ignore(completeFuture(future, Exit.succeed(1))))
            }
          }
          // The one count: futures admitted that have neither started nor ended.
          const waiting = futures.filter((future) => future.state === "pending").length
          assert.strictEqual(lifecycle.queued, waiting)
          assert.strictEqual(lifecycle.stats.snapshot().queued, waiting)
          assert.strictEqual(lifecycle.running.length, futures.filter((future) => future.state === "running").length)
          assert.strictEqual(Lifecycle.isShutdown(lifecycle), shutDown)
          assert.strictEqual(Lifecycle.brokenError(lifecycle), broken)
          assert.strictEqual(Lifecycle.isServing(lifecycle), broken === undefined)
          const refusal = Lifecycle.admit(lifecycle)
          if (shutDown) assert.instanceOf(refusal, FutureError.ExecutorShutdownError)
          else assert.strictEqual(refusal, broken)
        }
      })
    )
  })
})
