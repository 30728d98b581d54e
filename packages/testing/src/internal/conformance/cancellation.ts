/**
 * The conformance tests of `cancel` (Python's rule) and `interrupt`.
 *
 * @internal
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { expect } from "vitest"
import { behave } from "../../ConformanceTasks.ts"
import { fail, hang, isCancelled, stopAll, succeed, type Test } from "./tools.ts"

export const registerCancellation = (test: Test) => {
  test("cancel returns false while the task runs; interrupt stops it and the future ends cancelled", ({
    awaitRunning,
    bounded,
    submit
  }) =>
    Effect.gen(function* () {
      const future = yield* submit(hang)
      yield* awaitRunning(future)
      expect(yield* Future.cancel(future)).toBe(false)
      expect(yield* Future.state(future)).toBe("running")
      expect(yield* bounded(Future.interrupt(future), "interrupt")).toBe(true)
      // interrupt waits until the task has ended
      expect(yield* Future.state(future)).toBe("cancelled")
      const error = yield* Effect.flip(Future.result(future))
      expect(error).toBeInstanceOf(FutureError.CancelledError)
      expect(yield* Future.interrupt(future)).toBe(true)
      expect(yield* Future.cancel(future)).toBe(true)
      // The executor still serves after a task was interrupted.
      expect(yield* bounded(Effect.flatMap(submit(succeed(9)), Future.result), "a task after the interrupt")).toBe(9)
    }))

  test("cancel returns true iff the future was pending or already cancelled; callbacks run before it returns", ({
    bounded,
    behindBusyWorkers,
    submit
  }) =>
    Effect.gen(function* () {
      // Every worker is busy: these wait in the queue.
      const { hangs, queued } = yield* behindBusyWorkers([succeed(1), succeed(2), succeed(3)])
      for (const future of queued) {
        let called = 0
        yield* Future.addDoneCallback(future, () => void called++)
        // The state and the cancel in one synchronous step: no worker event comes between them.
        const [before, cancelled] = Effect.runSync(
          Effect.zip(Future.state(future), Future.cancel(future)) as Effect.Effect<readonly [Future.State, boolean]>
        )
        expect(before).toBe("pending")
        expect(cancelled).toBe(true)
        expect(called).toBe(1)
        expect(yield* Future.state(future)).toBe("cancelled")
        expect(yield* Future.cancel(future)).toBe(true)
      }
      for (const future of hangs) expect(yield* Future.cancel(future)).toBe(false)
      const done = yield* submit(succeed(0))
      yield* stopAll(hangs, bounded)
      yield* bounded(Future.await(done), "a task after the cancelled ones")
      expect(yield* Future.cancel(done)).toBe(false)
      expect(yield* Future.interrupt(done)).toBe(false)
      for (const future of queued) expect(yield* Future.state(future)).toBe("cancelled")
    }))

  test("a task's timeout stops it and fails its future with TimeoutError; the executor serves on", ({
    bounded,
    submit
  }) =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(behave, hang, { timeout: "100 millis", id: "conformance-timeout" })
      const error = yield* bounded(Effect.flip(Future.result(future)), "the task's timeout")
      expect(Cause.isTimeoutError(error)).toBe(true)
      expect(yield* Future.state(future)).toBe("failed")
      expect(yield* bounded(Effect.flatMap(submit(succeed(5)), Future.result), "a task after the timeout")).toBe(5)
    }))

  test("interrupt cancels a pending future, whose task never runs", ({ bounded, behindBusyWorkers }) =>
    Effect.gen(function* () {
      const { hangs, queued } = yield* behindBusyWorkers([fail(1)])
      const pending = queued[0]!
      expect(yield* Future.state(pending)).toBe("pending")
      expect(yield* bounded(Future.interrupt(pending), "interrupt")).toBe(true)
      yield* stopAll(hangs, bounded)
      expect(isCancelled(yield* Future.await(pending))).toBe(true)
    }))
}
