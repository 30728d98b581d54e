import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { program } from "../src/fetchOrders.ts"

describe("Day 14: fetching orders", () => {
  it.effect("prints each order as it arrives, handles the failing one, and takes 2 s, not 6", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(program)
      yield* TestClock.adjust("2 seconds")
      const lines = yield* Fiber.join(fiber)
      assert.deepStrictEqual(lines, [
        "ORD-001: Order ORD-001 fetched",
        "ORD-002: failed with OrderNotFound",
        "ORD-003: Order ORD-003 fetched",
        "total: 2.0 s for 3 orders of 2 s each (sequential: 6 s)"
      ])
    })
  )
})
