import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Future } from "@effect-futures/core"

/** Futures the test completes by hand, so completion order is the test's choice. */
const manual = <A = string, E = string>(n: number) =>
  Effect.forEach(Array.from({ length: n }), () => Future.make<A, E>())

const collectIds = <A, E>(stream: Stream.Stream<Future.Future<A, E>, unknown>) =>
  Effect.map(Stream.runCollect(stream), (futures) => futures.map((future) => future.id))

describe("Future.asCompleted", () => {
  it.effect("yields already-done futures first, then in completion order", () =>
    Effect.gen(function* () {
      const [a, b, c, d] = yield* manual(4)
      yield* Future.complete(c!, Exit.succeed("c"))
      const consumer = yield* Effect.forkChild(collectIds(Future.asCompleted([a!, b!, c!, d!])))
      yield* Effect.yieldNow
      yield* Future.complete(d!, Exit.succeed("d"))
      yield* Future.complete(a!, Exit.fail("a failed"))
      yield* Future.cancel(b!)
      assert.deepStrictEqual(yield* Fiber.join(consumer), [c!.id, d!.id, a!.id, b!.id])
    })
  )

  it.effect("yields a future given twice only once", () =>
    Effect.gen(function* () {
      const [a, b] = yield* manual(2)
      yield* Future.complete(a!, Exit.succeed("a"))
      const consumer = yield* Effect.forkChild(collectIds(Future.asCompleted([a!, b!, a!, b!])))
      yield* Effect.yieldNow
      yield* Future.complete(b!, Exit.succeed("b"))
      assert.deepStrictEqual(yield* Fiber.join(consumer), [a!.id, b!.id])
    })
  )

  it.effect("an empty input is an empty stream", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* collectIds(Future.asCompleted([])), [])
    })
  )

  it.effect("on timeout, fails with TimeoutError after yielding everything that finished in time", () =>
    Effect.gen(function* () {
      const [a, b, c] = yield* manual(3)
      yield* Future.complete(a!, Exit.succeed("a"))
      const seen: Array<number> = []
      const consumer = yield* Effect.forkChild(
        Future.asCompleted([a!, b!, c!], { timeout: "1 second" }).pipe(
          Stream.runForEach((future) => Effect.sync(() => seen.push(future.id))),
          Effect.flip
        )
      )
      yield* Effect.yieldNow
      yield* Future.complete(b!, Exit.succeed("b"))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(consumer)
      assert.isTrue(Cause.isTimeoutError(error))
      assert.deepStrictEqual(seen, [a!.id, b!.id])
      assert.isFalse(yield* Future.done(c!))
    })
  )

  it.effect("the timeout counts from when the stream starts, not from when it is made", () =>
    Effect.gen(function* () {
      const [a] = yield* manual(1)
      const stream = Future.asCompleted([a!], { timeout: "1 second" })
      yield* TestClock.adjust("5 seconds")
      const consumer = yield* Effect.forkChild(collectIds(stream))
      yield* TestClock.adjust("500 millis")
      yield* Future.complete(a!, Exit.succeed("a"))
      assert.deepStrictEqual(yield* Fiber.join(consumer), [a!.id])
    })
  )

  it.effect("is lazy: nothing is observed before it runs", () =>
    Effect.gen(function* () {
      const [a] = yield* manual(1)
      const stream = Future.asCompleted([a!])
      yield* Future.complete(a!, Exit.succeed("a"))
      assert.deepStrictEqual(yield* collectIds(stream), [a!.id])
    })
  )

  it.effect("interrupting the stream does not cancel the futures and stops listening to them", () =>
    Effect.gen(function* () {
      const [a, b] = yield* manual(2)
      const consumer = yield* Effect.forkChild(collectIds(Future.asCompleted([a!, b!])))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(consumer)
      assert.strictEqual(yield* Future.state(a!), "pending")
      assert.strictEqual(yield* Future.state(b!), "pending")
      yield* Future.complete(a!, Exit.succeed("a"))
      assert.strictEqual(yield* Future.result(a!), "a")
    })
  )

  it.effect("accepts futures of different types and yields the same futures", () =>
    Effect.gen(function* () {
      const numbers = yield* Future.make<number>()
      const strings = yield* Future.make<string, Error>()
      yield* Future.complete(numbers, Exit.succeed(1))
      yield* Future.complete(strings, Exit.succeed("s"))
      const all = yield* Stream.runCollect(
        Future.asCompleted<Future.Future<number> | Future.Future<string, Error>>([numbers, strings])
      )
      assert.strictEqual(all[0], numbers)
      assert.strictEqual(all[1], strings)
    })
  )
})

describe("Future.wait", () => {
  it.effect("ALL_COMPLETED (the default) waits for every future", () =>
    Effect.gen(function* () {
      const [a, b] = yield* manual(2)
      const waiter = yield* Effect.forkChild(Future.wait([a!, b!]))
      yield* Future.complete(a!, Exit.succeed("a"))
      yield* Effect.yieldNow
      assert.isUndefined(waiter.pollUnsafe())
      yield* Future.complete(b!, Exit.fail("b"))
      const { done, notDone } = yield* Fiber.join(waiter)
      assert.deepStrictEqual([...done], [a, b])
      assert.strictEqual(notDone.size, 0)
    })
  )

  it.effect("FIRST_COMPLETED returns at the first future done", () =>
    Effect.gen(function* () {
      const [a, b, c] = yield* manual(3)
      const waiter = yield* Effect.forkChild(Future.wait([a!, b!, c!], { returnWhen: "FIRST_COMPLETED" }))
      yield* Effect.yieldNow
      yield* Future.complete(b!, Exit.succeed("b"))
      const { done, notDone } = yield* Fiber.join(waiter)
      assert.deepStrictEqual([...done], [b])
      assert.deepStrictEqual([...notDone], [a, c])
    })
  )

  it.effect("FIRST_EXCEPTION returns as soon as one fails; a cancel counts as done but not as an exception", () =>
    Effect.gen(function* () {
      const [a, b, c] = yield* manual(3)
      const waiter = yield* Effect.forkChild(Future.wait([a!, b!, c!], { returnWhen: "FIRST_EXCEPTION" }))
      yield* Effect.yieldNow
      yield* Future.cancel(a!)
      yield* Future.complete(b!, Exit.succeed("b"))
      yield* Effect.yieldNow
      assert.isUndefined(waiter.pollUnsafe())
      yield* Future.complete(c!, Exit.fail("c failed"))
      const { done, notDone } = yield* Fiber.join(waiter)
      assert.strictEqual(done.size, 3)
      assert.strictEqual(notDone.size, 0)
    })
  )

  it.effect("FIRST_EXCEPTION returns at a failure while others still run; a defect counts", () =>
    Effect.gen(function* () {
      const [a, b] = yield* manual(2)
      const waiter = yield* Effect.forkChild(Future.wait([a!, b!], { returnWhen: "FIRST_EXCEPTION" }))
      yield* Effect.yieldNow
      yield* Future.complete(b!, Exit.die(new Error("bug")))
      const { done, notDone } = yield* Fiber.join(waiter)
      assert.deepStrictEqual([...done], [b])
      assert.deepStrictEqual([...notDone], [a])
    })
  )

  it.effect("FIRST_EXCEPTION without any failure waits for all", () =>
    Effect.gen(function* () {
      const [a, b] = yield* manual(2)
      const waiter = yield* Effect.forkChild(Future.wait([a!, b!], { returnWhen: "FIRST_EXCEPTION" }))
      yield* Future.complete(a!, Exit.succeed("a"))
      yield* Effect.yieldNow
      assert.isUndefined(waiter.pollUnsafe())
      yield* Future.complete(b!, Exit.succeed("b"))
      assert.strictEqual((yield* Fiber.join(waiter)).done.size, 2)
    })
  )

  it.effect("futures already done satisfy the condition at once", () =>
    Effect.gen(function* () {
      const [a, b] = yield* manual(2)
      yield* Future.complete(a!, Exit.fail("a failed"))
      const first = yield* Future.wait([a!, b!], { returnWhen: "FIRST_COMPLETED" })
      assert.deepStrictEqual([...first.done], [a])
      const exception = yield* Future.wait([a!, b!], { returnWhen: "FIRST_EXCEPTION" })
      assert.deepStrictEqual([...exception.notDone], [b])
    })
  )

  it.effect("an empty set returns two empty sets at once, in every mode", () =>
    Effect.gen(function* () {
      for (const returnWhen of ["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"] as const) {
        const { done, notDone } = yield* Future.wait([], { returnWhen })
        assert.strictEqual(done.size + notDone.size, 0)
      }
    })
  )

  it.effect("duplicates appear once in the result", () =>
    Effect.gen(function* () {
      const [a] = yield* manual(1)
      yield* Future.complete(a!, Exit.succeed("a"))
      const { done } = yield* Future.wait([a!, a!, a!])
      assert.deepStrictEqual([...done], [a])
    })
  )

  it.effect("a timeout returns the partial split and does not fail", () =>
    Effect.gen(function* () {
      const [a, b] = yield* manual(2)
      const waiter = yield* Effect.forkChild(Future.wait([a!, b!], { timeout: "2 seconds" }))
      yield* Effect.yieldNow
      yield* Future.complete(a!, Exit.succeed("a"))
      yield* TestClock.adjust("2 seconds")
      const { done, notDone } = yield* Fiber.join(waiter)
      assert.deepStrictEqual([...done], [a])
      assert.deepStrictEqual([...notDone], [b])
    })
  )

  it.effect("a timeout is not needed when the condition holds first", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const [a] = yield* manual(1)
      const waiter = yield* Effect.forkChild(
        Future.wait([a!], { returnWhen: "FIRST_COMPLETED", timeout: "1 hour" }).pipe(
          Effect.tap(() => Deferred.succeed(gate, undefined))
        )
      )
      yield* Effect.yieldNow
      yield* Future.complete(a!, Exit.succeed("a"))
      yield* Deferred.await(gate)
      assert.strictEqual((yield* Fiber.join(waiter)).done.size, 1)
    })
  )
})
