import { Executor, Future, Task } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Schema, Stream } from "effect"

/** The defect that building `layer` dies with: a wrong option is an `IllegalArgumentError`. */
const buildDefect = <A, E>(layer: Layer.Layer<A, E>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
    return defectOf(exit)
  })

const defectOf = (exit: Exit.Exit<unknown, unknown>): string => {
  assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), "expected a defect")
  const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)
  assert.isTrue(Cause.isIllegalArgumentError(defect), `expected an IllegalArgumentError, got ${String(defect)}`)
  return (defect as Cause.IllegalArgumentError).message
}

describe("options are checked", () => {
  it.effect("layerFiber: a wrong option kills the Layer with an error naming the Layer, the option and the value", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [object, string]> = [
        [{ maxWorkers: 1.5 }, "Executor.layerFiber: maxWorkers must be a positive integer, got 1.5"],
        [
          { maxWorker: 2 },
          "Executor.layerFiber: maxWorker is not an option (did you mean maxWorkers?), got maxWorker: 2"
        ],
        [
          { maxworkers: 2 },
          "Executor.layerFiber: maxworkers is not an option (did you mean maxWorkers?), got maxworkers: 2"
        ],
        [{ shutdownTimeout: "2 secs" }, "Executor.layerFiber: shutdownTimeout must be a duration, got 2 secs"],
        [{ shutdownTimeout: Number.NaN }, "Executor.layerFiber: shutdownTimeout must be a duration, got NaN"],
        [
          { shutdownTimeout: { second: 2 } },
          'Executor.layerFiber: shutdownTimeout must be a duration, got {"second":2}'
        ],
        [{ tracing: "false" }, "Executor.layerFiber: tracing must be true or false, got false"],
        [{ initializer: () => {} }, "Executor.layerFiber: initializer must be { task, input } with a Task"],
        // The mistake is named (a function where the task goes), and a large value is cut short.
        [{ initializer: { task: function double() {}, input: 1 } }, 'got {"task":"[function double]","input":1}'],
        [{ initializer: { input: "x".repeat(5_000) } }, "…"]
      ]
      for (const [options, message] of cases) {
        const defect = yield* buildDefect(Executor.layerFiber(options as any))
        assert.include(defect, message)
        assert.isBelow(defect.length, 400)
      }
    })
  )

  it.effect("layerFiber: valid options still build", () =>
    Effect.gen(function* () {
      const { maxWorkers } = yield* Executor.stats.pipe(
        Effect.provide(Executor.layerFiber({ maxWorkers: 3, shutdownTimeout: { seconds: 1 }, tracing: false }))
      )
      assert.strictEqual(maxWorkers, 3)
    })
  )

  it.effect("Executor.submit: an unknown option or a timeout that is not a duration is a defect naming submit", () =>
    Effect.gen(function* () {
      const task = Task.make("double", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.succeed(2 * n)
      })
      const cases: ReadonlyArray<readonly [object, string]> = [
        [
          { timout: "1 second" },
          "Executor.submit: timout is not an option (did you mean timeout?), got timout: 1 second"
        ],
        [{ timeout: "2 secs" }, "Executor.submit: timeout must be a duration, got 2 secs"]
      ]
      for (const [options, message] of cases) {
        assert.include(defectOf(yield* Effect.exit(Executor.submit(task, 1, options as any))), message)
      }
      assert.strictEqual(yield* Future.result(yield* Executor.submit(task, 2, { timeout: "1 minute", id: "d" })), 4)
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("Executor.map: a timeout that is not a duration, or a chunkSize below 1, is a defect naming map", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [object, string]> = [
        [{ timeout: "2 secs" }, "Executor.map: timeout must be a duration, got 2 secs"],
        [{ timeout: Number.NaN }, "Executor.map: timeout must be a duration, got NaN"],
        [{ chunkSize: 0 }, "Executor.map: chunkSize must be a positive integer, got 0"],
        [{ chunksize: 8 }, "Executor.map: chunksize is not an option (did you mean chunkSize?), got chunksize: 8"]
      ]
      for (const [options, message] of cases) {
        const exit = yield* Executor.map((n: number) => Effect.succeed(n), [1, 2], options as any).pipe(
          Stream.runCollect,
          Effect.exit
        )
        assert.include(defectOf(exit), message)
      }
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect(
    "Future.result, exception, asCompleted and wait: a timeout that is not a duration is a defect naming the function",
    () =>
      Effect.gen(function* () {
        const pending = yield* Future.make<number>()
        const done = yield* Future.make<number>()
        yield* Future.complete(done, Exit.succeed(1))
        const timeout = "2 secs" as any
        for (const future of [pending, done]) {
          assert.include(
            defectOf(yield* Effect.exit(Future.result(future, { timeout }))),
            "Future.result: timeout must be a duration, got 2 secs"
          )
          assert.include(
            defectOf(yield* Effect.exit(Future.exception(future, { timeout }))),
            "Future.exception: timeout must be a duration, got 2 secs"
          )
        }
        assert.include(
          defectOf(yield* Effect.exit(Stream.runCollect(Future.asCompleted([pending], { timeout })))),
          "Future.asCompleted: timeout must be a duration, got 2 secs"
        )
        assert.include(
          defectOf(yield* Effect.exit(Future.wait([pending], { timeout }))),
          "Future.wait: timeout must be a duration, got 2 secs"
        )
        assert.include(
          defectOf(yield* Effect.exit(Future.wait([pending], { returnWhen: "FIRST_COMPLETE" as any }))),
          'Future.wait: returnWhen must be "FIRST_COMPLETED" or "FIRST_EXCEPTION" or "ALL_COMPLETED", got FIRST_COMPLETE'
        )
      })
  )

  it.effect(
    "a valid timeout keeps its meaning: 0 on result fails with TimeoutError at once, a done future still answers",
    () =>
      Effect.gen(function* () {
        const pending = yield* Future.make<number>()
        const done = yield* Future.make<number>()
        yield* Future.complete(done, Exit.succeed(7))
        const error = yield* Effect.flip(Future.result(pending, { timeout: 0 }))
        assert.strictEqual(error._tag, "TimeoutError")
        assert.strictEqual(yield* Future.result(done, { timeout: 0 }), 7)
        const split = yield* Future.wait([pending, done], { timeout: { milliseconds: 0 } })
        assert.deepStrictEqual([split.done.size, split.notDone.size], [1, 1])
      })
  )
})
