/**
 * The conformance tests of done callbacks: exactly once, in registration order, at once on a done future.
 *
 * @internal
 */
import { Future, FutureError } from "@effect-futures/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { expect } from "vitest"
import { die, fail, succeed, type Test } from "./tools.ts"

export const registerCallbacks = (test: Test) => {
  test("every future ends once, and its done callbacks run exactly once, in registration order", ({
    bounded,
    submit
  }) =>
    Effect.gen(function* () {
      const behaviours = [succeed(1), fail(2), die("three"), succeed(4, 20), fail(5, 10), succeed(6)]
      const calls: Array<{ readonly future: number; readonly callback: number; readonly state: Future.State }> = []
      const allRan = yield* Deferred.make<void>()
      const expected = behaviours.length * 2
      const record = (future: number, callback: number) => (self: Future.Future<number, unknown>) =>
        Effect.map(Future.state(self), (state) => {
          calls.push({ future, callback, state })
          if (calls.length === expected) Deferred.doneUnsafe(allRan, Exit.void)
        })
      const futures: Array<Future.Future<number, unknown>> = []
      for (const [index, behaviour] of behaviours.entries()) {
        const future = yield* submit(behaviour)
        futures.push(future)
        // One Effect callback and one plain function.
        yield* Future.addDoneCallback(future, record(index, 0))
        yield* Future.addDoneCallback(future, (self) => void Effect.runSync(record(index, 1)(self)))
      }
      yield* bounded(Deferred.await(allRan), "the done callbacks")
      const states = yield* Effect.forEach(futures, Future.state)
      expect(states).toEqual(["succeeded", "failed", "failed", "succeeded", "failed", "succeeded"])
      for (const [index, state] of states.entries()) {
        const own = calls.filter((call) => call.future === index)
        expect(
          own.map((call) => call.callback),
          `callbacks of future ${index}`
        ).toEqual([0, 1])
        expect(
          own.every((call) => call.state === state),
          `states seen by callbacks of ${index}`
        ).toBe(true)
      }
      // Completing again is refused: the terminal state is final.
      const again = yield* Effect.flip(Future.complete(futures[0]!, Exit.succeed(0)))
      expect(again).toBeInstanceOf(FutureError.InvalidStateError)
      expect(calls.length).toBe(expected)
    }))

  test("a callback added to a done future runs before addDoneCallback returns", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const future = yield* submit(succeed(1))
      yield* bounded(Future.await(future), "await")
      let calls = 0
      yield* Future.addDoneCallback(future, () => void calls++)
      expect(calls).toBe(1)
    }))
}
