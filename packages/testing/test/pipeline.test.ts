/**
 * The guide's worked example (docs/testing.md): a user's cancelling pipeline, tested scripted with
 * `TestExecutor` and property-based with `ExecutorProgram.move`.
 */
import { Future } from "@effect-futures/core"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { ExecutorProgram, TestExecutor } from "../src/index.ts"
import { fulfilAll, PaymentDeclined, Payments, Warehouse } from "./fixtures/orders.ts"

/** A warehouse that records which slots are held, and payments that go through after a second. */
const fakes = (held: Set<string>, log: Array<string>) =>
  Layer.mergeAll(
    Layer.succeed(Warehouse, {
      hold: (orderId) => Effect.sync(() => (held.add(orderId), log.push(`hold ${orderId}`))),
      release: (orderId) => Effect.sync(() => (held.delete(orderId), log.push(`release ${orderId}`)))
    }),
    Layer.succeed(Payments, { charge: (orderId) => Effect.as(Effect.sleep("1 second"), `receipt ${orderId}`) })
  )

describe("fulfilAll, scripted with TestExecutor", () => {
  it.effect("when one order fails, the others are stopped and every slot is released", () =>
    Effect.gen(function* () {
      const held = new Set<string>()
      const log: Array<string> = []
      const pipeline = yield* Effect.forkChild(fulfilAll(["a", "b", "c", "d"]).pipe(Effect.provide(fakes(held, log))))
      const [a, b, c, d] = yield* TestExecutor.awaitSubmitted(4)
      yield* TestExecutor.runAll // three workers: a, b and c start, d waits
      expect([...held]).toEqual(["a", "b", "c"])
      yield* TestExecutor.complete(b!, Exit.fail(new PaymentDeclined({ orderId: "b" })))
      const exit = yield* Fiber.await(pipeline)
      expect(exit).toEqual(Exit.fail(new PaymentDeclined({ orderId: "b" })))
      expect(held.size).toBe(0)
      expect(yield* Effect.forEach([a!, c!, d!], Future.state)).toEqual(["cancelled", "cancelled", "cancelled"])
      expect(log).not.toContain("hold d") // d never started
    }).pipe(Effect.provide(TestExecutor.layer({ maxWorkers: 3 })))
  )

  it.effect("when every payment goes through, the receipts come in order", () =>
    Effect.gen(function* () {
      const held = new Set<string>()
      const pipeline = yield* Effect.forkChild(fulfilAll(["a", "b", "c", "d"]).pipe(Effect.provide(fakes(held, []))))
      yield* TestExecutor.awaitSubmitted(4)
      yield* TestExecutor.runAll
      yield* TestClock.adjust("1 second") // a, b and c are charged
      expect((yield* TestExecutor.running).length).toBe(0)
      expect((yield* TestExecutor.queue).length).toBe(1)
      yield* TestExecutor.runNext
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(pipeline)).toEqual(["receipt a", "receipt b", "receipt c", "receipt d"])
      expect(held.size).toBe(0)
    }).pipe(Effect.provide(TestExecutor.layer({ maxWorkers: 3 })))
  )

  it.effect("a crashed worker fails the pipeline with BrokenExecutorError, and no slot stays held", () =>
    Effect.gen(function* () {
      const held = new Set<string>()
      const pipeline = yield* Effect.forkChild(fulfilAll(["a", "b"]).pipe(Effect.provide(fakes(held, []))))
      const [a] = yield* TestExecutor.awaitSubmitted(2)
      yield* TestExecutor.runAll
      yield* TestExecutor.crash(a!)
      const exit = yield* Fiber.await(pipeline)
      assert.isTrue(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof Error)
      expect(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause))).toContain("BrokenExecutorError")
      expect(held.size).toBe(0)
    }).pipe(Effect.provide(TestExecutor.layer({ maxWorkers: 2 })))
  )
})

/** How a `Complete` move ends an order's task. */
const orderExit = (outcome: ExecutorProgram.Outcome): Exit.Exit<string, PaymentDeclined> =>
  outcome._tag === "Succeed"
    ? Exit.succeed(`receipt ${outcome.value}`)
    : outcome._tag === "Fail"
      ? Exit.fail(new PaymentDeclined({ orderId: outcome.error }))
      : Exit.die(new Error(outcome.message))

describe("fulfilAll, property-based", () => {
  it("whatever the schedule, the pipeline ends with every order done and no slot held", async () => {
    const orders = ["a", "b", "c", "d", "e"]
    await fc.assert(
      fc.asyncProperty(fc.array(ExecutorProgram.move, { maxLength: 25 }), (moves) =>
        Effect.gen(function* () {
          const held = new Set<string>()
          const pipeline = yield* Effect.forkChild(fulfilAll(orders).pipe(Effect.provide(fakes(held, []))))
          const futures = yield* TestExecutor.awaitSubmitted(orders.length)
          for (const move of moves) yield* TestExecutor.perform(move, { exitOf: orderExit })
          // Then whatever is left runs: payments go through after a second.
          for (let round = 0; round < 20 && pipeline.pollUnsafe() === undefined; round++) {
            yield* TestExecutor.runAll
            yield* TestClock.adjust("1 second")
          }
          const exit = yield* Fiber.await(pipeline)
          const states = yield* Effect.forEach(futures, Future.state)
          expect(held.size, "slots held after the pipeline ended").toBe(0)
          expect(states.filter((state) => state === "pending" || state === "running")).toEqual([])
          if (Exit.isSuccess(exit)) {
            expect(states.every((state) => state === "succeeded")).toBe(true)
            expect(exit.value).toEqual(yield* Effect.forEach(futures, (future) => Future.result(future)))
          } else {
            expect(states.some((state) => state !== "succeeded")).toBe(true)
          }
        }).pipe(
          Effect.provide(TestExecutor.layer({ maxWorkers: 3 })),
          Effect.provide(TestClock.layer()),
          Effect.runPromise
        )
      ),
      { numRuns: 100 }
    )
  })
})
