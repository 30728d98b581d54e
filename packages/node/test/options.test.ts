import { Executor } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { NodeExecutor } from "../src/index.ts"
import { availableParallelism } from "node:os"
import { module } from "./fixtures/pools.ts"

/** The defect that building `layer` dies with: a wrong option is an `IllegalArgumentError`, before any worker starts. */
const buildDefect = <A, E>(layer: Layer.Layer<A, E>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
    assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), "expected a defect")
    const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)
    assert.isTrue(Cause.isIllegalArgumentError(defect), `expected an IllegalArgumentError, got ${String(defect)}`)
    return (defect as Cause.IllegalArgumentError).message
  })

const layers = [
  {
    name: "NodeExecutor.layerWorkerThreads",
    layer: (options: object) => NodeExecutor.layerWorkerThreads(options as any)
  },
  {
    name: "NodeExecutor.layerChildProcesses",
    layer: (options: object) => NodeExecutor.layerChildProcesses(options as any)
  }
] as const

describe.each(layers)("$name: options are checked", ({ name, layer }) => {
  it.effect("a wrong option kills the Layer with an error naming the Layer, the option and the value", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [object, string]> = [
        [{ maxWorkers: 2, minWorkers: 5 }, `${name}: minWorkers must be at most maxWorkers (2), got 5`],
        [{ minWorkers: 1.5 }, `${name}: minWorkers must be a non-negative integer, got 1.5`],
        [{ maxWorkers: 0 }, `${name}: maxWorkers must be a positive integer, got 0`],
        [{ interruptGracePeriod: "2 secs" }, `${name}: interruptGracePeriod must be a duration, got 2 secs`],
        [{ interruptGracePeriod: -5 }, `${name}: interruptGracePeriod must be a duration of at least 0, got -5`],
        [{ startTimeout: 0 }, `${name}: startTimeout must be a positive duration, got 0`],
        [{ shutdownTimeout: Number.NaN }, `${name}: shutdownTimeout must be a duration, got NaN`],
        [{ maxQueue: 0 }, `${name}: maxQueue must be a positive integer or Infinity, got 0`],
        [{ maxWorker: 2 }, `${name}: maxWorker is not an option (did you mean maxWorkers?), got maxWorker: 2`],
        [{ minworkers: 1 }, `${name}: minworkers is not an option (did you mean minWorkers?), got minworkers: 1`],
        [{ tracing: "off" }, `${name}: tracing must be true or false, got off`],
        // Longer than a platform timer keeps (it would fire after 1 ms).
        [
          { interruptGracePeriod: "30 days" },
          `${name}: interruptGracePeriod must be at most 2147483647 ms (the longest timer, about 24.8 days), got 30 days`
        ],
        [
          { startTimeout: Infinity },
          `${name}: startTimeout must be at most 2147483647 ms (the longest timer, about 24.8 days), got Infinity`
        ]
      ]
      for (const [options, message] of cases) {
        assert.strictEqual(yield* buildDefect(layer({ module, ...options })), message)
      }
      assert.strictEqual(
        yield* buildDefect(layer({ maxWorkers: 2 })),
        `${name}: module must be given (the task module's URL), got undefined`
      )
    })
  )

  it.effect("minWorkers alone asks for that many workers: maxWorkers defaults to at least it", () =>
    Effect.gen(function* () {
      const { maxWorkers } = yield* Executor.stats.pipe(
        Effect.provide(layer({ module, minWorkers: availableParallelism() + 1 }))
      )
      assert.strictEqual(maxWorkers, availableParallelism() + 1)
    })
  )
})

describe("options of one pool kind", () => {
  it.effect("an option of the other pool is not an option here", () =>
    Effect.gen(function* () {
      assert.match(
        yield* buildDefect(NodeExecutor.layerChildProcesses({ module, maxTasksPerWorker: 3 } as any)),
        /^NodeExecutor\.layerChildProcesses: maxTasksPerWorker is not an option \(the options are .*maxTasksPerChild.*\), got maxTasksPerWorker: 3$/
      )
      assert.strictEqual(
        yield* buildDefect(NodeExecutor.layerWorkerThreads({ module, idleTimeout: "5 secs" as any })),
        "NodeExecutor.layerWorkerThreads: idleTimeout must be a duration, got 5 secs"
      )
      assert.strictEqual(
        yield* buildDefect(NodeExecutor.layerChildProcesses({ module, execArgv: "--inspect" as any })),
        "NodeExecutor.layerChildProcesses: execArgv must be an array of strings, got --inspect"
      )
    })
  )
})
