/**
 * The conformance tests of how a task ends: its value, its typed error, a defect.
 *
 * @internal
 */
import { Future } from "@effect-futures/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { expect } from "vitest"
import { ConformanceError } from "../../ConformanceTasks.ts"
import { defectOf, die, errorOf, fail, succeed, type Test } from "./tools.ts"

export const registerOutcomes = (test: Test) => {
  test("a task's value arrives, and the future ends succeeded", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const future = yield* submit(succeed(7))
      expect(yield* bounded(Future.result(future), "result")).toBe(7)
      expect(yield* Future.state(future)).toBe("succeeded")
      expect([yield* Future.done(future), yield* Future.running(future), yield* Future.cancelled(future)]).toEqual([
        true,
        false,
        false
      ])
    }))

  test("a typed error arrives as its own class, in the error channel", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const future = yield* submit(fail(3))
      const error = yield* bounded(Effect.flip(Future.result(future)), "result")
      expect(error).toBeInstanceOf(ConformanceError)
      expect((error as ConformanceError).code).toBe(3)
      const exception = yield* Future.exception(future)
      expect(Option.isSome(exception) && exception.value instanceof ConformanceError).toBe(true)
      expect(yield* Future.state(future)).toBe("failed")
    }))

  test("a defect ends the future failed and is raised again as a defect", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const future = yield* submit(die("boom"))
      const exit = yield* bounded(Future.await(future), "await")
      expect(yield* Future.state(future)).toBe("failed")
      expect(errorOf(exit)).toBeUndefined()
      const defect = defectOf(exit)
      expect(defect).toBeInstanceOf(Error)
      expect((defect as Error).message).toBe("boom")
      const resultExit = yield* Effect.exit(Future.result(future))
      expect(defectOf(resultExit)).toBeInstanceOf(Error)
      expect(errorOf(resultExit)).toBeUndefined()
    }))
}
