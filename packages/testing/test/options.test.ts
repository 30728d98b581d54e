import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { TestExecutor } from "../src/index.ts"

const buildDefect = <A, E>(layer: Layer.Layer<A, E>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
    assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), "expected a defect")
    const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)
    assert.isTrue(Cause.isIllegalArgumentError(defect), `expected an IllegalArgumentError, got ${String(defect)}`)
    return (defect as Cause.IllegalArgumentError).message
  })

describe("TestExecutor.layer: options are checked", () => {
  it.effect("a wrong option kills the Layer with an error naming the Layer, the option and the value", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [object, string]> = [
        [{ maxWorkers: 0 }, "TestExecutor.layer: maxWorkers must be a positive integer, got 0"],
        [
          { maxWorker: 2 },
          "TestExecutor.layer: maxWorker is not an option (did you mean maxWorkers?), got maxWorker: 2"
        ],
        [{ tracing: 1 }, "TestExecutor.layer: tracing must be true or false, got 1"],
        [{ name: 7 }, "TestExecutor.layer: name must be a string, got 7"]
      ]
      for (const [options, message] of cases) {
        assert.strictEqual(yield* buildDefect(TestExecutor.layer(options as any)), message)
      }
    })
  )
})
