/**
 * The conformance test of the stats.
 *
 * @internal
 */
import { Executor, Future } from "@effect-futures/core"
import * as Effect from "effect/Effect"
import { expect } from "vitest"
import { die, fail, stopAll, succeed, type Test } from "./tools.ts"

export const registerStats = (test: Test) => {
  test("stats count the queued tasks and how every task ended", ({ bounded, behindBusyWorkers, submit }) =>
    Effect.gen(function* () {
      const executor = yield* Executor.Executor
      const ended = [succeed(1), succeed(2), fail(3), die("four")]
      const futures = yield* Effect.forEach(ended, submit)
      yield* bounded(Future.wait(futures), "the tasks")
      const { hangs, queued } = yield* behindBusyWorkers([succeed(1), succeed(2)])
      const during = yield* Executor.stats
      expect(during.maxWorkers).toBe(executor.maxWorkers)
      expect(during.queued).toBe(2)
      expect(during.busy).toBeLessThanOrEqual(executor.maxWorkers)
      yield* Effect.forEach(queued, Future.cancel)
      yield* stopAll(hangs, bounded)
      const after = yield* Executor.stats
      expect({
        completed: after.completed,
        failed: after.failed,
        cancelled: after.cancelled,
        queued: after.queued
      }).toEqual({
        completed: 2,
        failed: 2,
        cancelled: 2 + hangs.length,
        queued: 0
      })
    }))
}
