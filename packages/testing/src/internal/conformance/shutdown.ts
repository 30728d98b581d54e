/**
 * The conformance tests of `shutdown` and of the close of the executor's scope.
 *
 * @internal
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { expect, it } from "vitest"
import { behave } from "../../ConformanceTasks.ts"
import { hang, isCancelled, stopAll, succeed, type Test, type Tools, tools } from "./tools.ts"

export const registerShutdown = <E>(
  test: Test,
  layer: Layer.Layer<Executor.Executor, E>,
  stepTimeout: Duration.Input,
  testTimeout: number
) => {
  test("submit after shutdown fails with ExecutorShutdownError", ({ bounded, submit }) =>
    Effect.gen(function* () {
      yield* bounded(Executor.shutdown(), "shutdown")
      const error = yield* Effect.flip(submit(succeed(1)))
      expect(error).toBeInstanceOf(FutureError.ExecutorShutdownError)
      const stream = yield* Effect.flip(Stream.runDrain(Executor.map(behave, [succeed(1)])))
      expect(stream).toBeInstanceOf(FutureError.ExecutorShutdownError)
    }))

  test("shutdown({ wait: true }) lets running and queued tasks run to their end first", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const { maxWorkers } = yield* Executor.Executor
      const futures = yield* Effect.forEach(
        Array.from({ length: maxWorkers + 2 }, (_, i) => i),
        (i) => submit(succeed(i, 20))
      )
      yield* bounded(Executor.shutdown({ wait: true }), "shutdown({ wait: true })")
      expect(yield* Effect.forEach(futures, Future.state)).toEqual(futures.map(() => "succeeded"))
      expect(yield* Effect.forEach(futures, (future) => Future.result(future))).toEqual(futures.map((_, i) => i))
    }))

  test("shutdown({ cancelFutures: true }) cancels every queued future and leaves none pending", ({
    bounded,
    behindBusyWorkers
  }) =>
    Effect.gen(function* () {
      const { hangs, queued } = yield* behindBusyWorkers([succeed(1), succeed(2), succeed(3)])
      yield* bounded(Executor.shutdown({ wait: false, cancelFutures: true }), "shutdown({ wait: false })")
      expect(yield* Effect.forEach(queued, Future.state)).toEqual(["cancelled", "cancelled", "cancelled"])
      expect(yield* Effect.forEach(hangs, Future.state)).toEqual(hangs.map(() => "running"))
      expect((yield* Executor.stats).queued).toBe(0)
      yield* stopAll(hangs, bounded)
    }))

  // These three build the executor themselves: the point is what its scope's close does.
  const closing = (
    title: string,
    body: (tools: Tools, futures: Array<Future.Future<number, unknown>>) => Effect.Effect<void, unknown>
  ) =>
    it(title, { timeout: testTimeout }, () =>
      Effect.runPromise(
        Effect.gen(function* () {
          const futures: Array<Future.Future<number, unknown>> = []
          yield* body(tools(stepTimeout), futures)
          for (const future of futures) {
            expect(yield* Future.done(future), "every future is done once the scope has closed").toBe(true)
          }
        })
      )
    )

  closing("closing the scope normally waits until every task has ended", ({ bounded, submit }, futures) =>
    Effect.gen(function* () {
      yield* bounded(
        Effect.provide(
          Effect.gen(function* () {
            const { maxWorkers } = yield* Executor.Executor
            for (let i = 0; i <= maxWorkers; i++) futures.push(yield* submit(succeed(i, 20)))
          }),
          layer
        ),
        "the scope's close"
      )
      for (const future of futures) expect(yield* Future.state(future)).toBe("succeeded")
    })
  )

  closing(
    "closing the scope with a failure cancels the queued futures and interrupts the running ones",
    ({ awaitRunning, bounded, submit }, futures) =>
      Effect.gen(function* () {
        const exit = yield* bounded(
          Effect.exit(
            Effect.provide(
              Effect.gen(function* () {
                const { maxWorkers } = yield* Executor.Executor
                for (let i = 0; i < maxWorkers + 2; i++) futures.push(yield* submit(hang))
                yield* awaitRunning(futures[0]!)
                return yield* Effect.fail("the program failed")
              }),
              layer
            )
          ),
          "the scope's close"
        )
        expect(Exit.isFailure(exit)).toBe(true)
        for (const future of futures) expect(isCancelled(yield* Future.await(future))).toBe(true)
      })
  )

  closing(
    "an interruption during a normal close stops the tasks: no future waits for ever",
    ({ awaitRunning, bounded, submit }, futures) =>
      Effect.gen(function* () {
        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(
          Effect.provide(
            Effect.gen(function* () {
              const { maxWorkers } = yield* Executor.Executor
              for (let i = 0; i < maxWorkers + 1; i++) futures.push(yield* submit(hang))
              yield* awaitRunning(futures[0]!)
              yield* Deferred.succeed(started, undefined)
              // Returns normally: the close waits for tasks that never end, until interrupted.
            }),
            layer
          )
        )
        yield* bounded(Deferred.await(started), "the program's start")
        yield* bounded(Fiber.interrupt(fiber), "the interrupted close")
        for (const future of futures) expect(isCancelled(yield* Future.await(future))).toBe(true)
      })
  )
}
