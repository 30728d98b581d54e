/**
 * The conformance tests of `map`, `asCompleted` and `wait`.
 *
 * @internal
 */
import { Executor, Future } from "@effect-futures/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { expect } from "vitest"
import { behave, ConformanceError } from "../../ConformanceTasks.ts"
import { fail, hang, stopAll, succeed, type Test, type Tools } from "./tools.ts"

export const registerCollecting = (test: Test) => {
  test("map streams the results in submission order", ({ bounded }) =>
    Effect.gen(function* () {
      const inputs = [succeed(1, 40), succeed(2, 0), succeed(3, 20), succeed(4, 0), succeed(5, 10)]
      const results = yield* bounded(Stream.runCollect(Executor.map(behave, inputs, { buffer: 3 })), "map")
      expect(results).toEqual([1, 2, 3, 4, 5])
    }))

  test("map fails with the first failure in submission order, after every result before it, and stops the rest", ({
    bounded
  }) =>
    Effect.gen(function* () {
      const emitted: Array<number> = []
      const inputs = [succeed(1), succeed(2), fail(30, 40), fail(40), hang, hang]
      const error = yield* bounded(
        Effect.flip(Stream.runForEach(Executor.map(behave, inputs), (value) => Effect.sync(() => emitted.push(value)))),
        "map with a failure (the tasks after it must be stopped)"
      )
      expect(emitted).toEqual([1, 2])
      expect(error).toBeInstanceOf(ConformanceError)
      expect((error as ConformanceError).code).toBe(30)
    }))

  test("map fails with TimeoutError when its timeout elapses", ({ bounded }) =>
    Effect.gen(function* () {
      const error = yield* bounded(
        Effect.flip(Stream.runDrain(Executor.map(behave, [succeed(1), hang], { timeout: "100 millis" }))),
        "map with a timeout"
      )
      expect(Cause.isTimeoutError(error)).toBe(true)
    }))

  /** A future that is done and one whose task runs (until interrupted). */
  const doneAndRunning = ({ awaitRunning, bounded, submit }: Tools) =>
    Effect.gen(function* () {
      const done = yield* submit(succeed(1))
      yield* bounded(Future.await(done), "a task")
      const running = yield* submit(hang)
      yield* awaitRunning(running)
      return { done, running }
    })
  /** Runs `asCompleted`, pushing what it yields to `order`. */
  const collect = (
    order: Array<Future.Future<number, unknown>>,
    futures: ReadonlyArray<Future.Future<number, unknown>>,
    options?: Future.AsCompletedOptions
  ) => Stream.runForEach(Future.asCompleted(futures, options), (future) => Effect.sync(() => order.push(future)))

  test("asCompleted yields in completion order, done futures first, each future once", (tools) =>
    Effect.gen(function* () {
      const { done, running } = yield* doneAndRunning(tools)
      const { bounded } = tools
      const order: Array<Future.Future<number, unknown>> = []
      const collecting = yield* Effect.forkChild(collect(order, [running, done, running, done]), {
        startImmediately: true
      })
      yield* bounded(Future.interrupt(running), "interrupt")
      yield* bounded(Fiber.join(collecting), "asCompleted")
      expect(order).toEqual([done, running])
    }))

  test("asCompleted fails with TimeoutError after yielding every future done in time", (tools) =>
    Effect.gen(function* () {
      const { done, running } = yield* doneAndRunning(tools)
      const { bounded } = tools
      const order: Array<Future.Future<number, unknown>> = []
      const error = yield* bounded(
        Effect.flip(collect(order, [running, done], { timeout: "100 millis" })),
        "asCompleted with a timeout"
      )
      expect(order).toEqual([done])
      expect(Cause.isTimeoutError(error)).toBe(true)
      yield* stopAll([running], bounded)
    }))

  test("wait returns by returnWhen, and on timeout the partial split without failing", ({
    awaitRunning,
    bounded,
    submit
  }) =>
    Effect.gen(function* () {
      const succeeded = yield* submit(succeed(1))
      const failed = yield* submit(fail(2))
      yield* bounded(Future.wait([succeeded, failed]), "wait(ALL_COMPLETED)")
      const running = yield* submit(hang)
      yield* awaitRunning(running)
      const first = yield* bounded(Future.wait([running, succeeded], { returnWhen: "FIRST_COMPLETED" }), "wait")
      expect([...first.done]).toEqual([succeeded])
      expect([...first.notDone]).toEqual([running])
      const exception = yield* bounded(Future.wait([running, failed], { returnWhen: "FIRST_EXCEPTION" }), "wait")
      expect([...exception.done]).toEqual([failed])
      const timedOut = yield* bounded(Future.wait([running, succeeded], { timeout: "50 millis" }), "wait")
      expect([...timedOut.done]).toEqual([succeeded])
      expect([...timedOut.notDone]).toEqual([running])
      // A cancellation is no exception: FIRST_EXCEPTION waits on.
      yield* bounded(Future.interrupt(running), "interrupt")
      const other = yield* submit(hang)
      const cancelledOnly = yield* bounded(
        Future.wait([running, other], { returnWhen: "FIRST_EXCEPTION", timeout: "50 millis" }),
        "wait"
      )
      expect([...cancelledOnly.done]).toEqual([running])
      expect([...cancelledOnly.notDone]).toEqual([other])
      yield* stopAll([other], bounded)
    }))
}
