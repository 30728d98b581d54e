import { Executor } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"
import { Sharding } from "effect/cluster"
import { ClusterExecutor } from "../src/index.ts"

const module = new URL("./fixtures/cluster.tasks.ts", import.meta.url)

const buildDefect = <A, E>(layer: Layer.Layer<A, E>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
    assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), "expected a defect")
    const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)
    assert.isTrue(Cause.isIllegalArgumentError(defect), `expected an IllegalArgumentError, got ${String(defect)}`)
    return (defect as Cause.IllegalArgumentError).message
  })

// The client checks its options before it asks Sharding for anything: a Sharding that answers nothing will do.
const noSharding = Layer.succeed(Sharding.Sharding, {} as Sharding.Sharding["Service"])

describe("ClusterExecutor: options are checked", () => {
  it.effect("layer: a wrong option kills the Layer with an error naming the Layer, the option and the value", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [object, string]> = [
        [
          { durability: "durabel" },
          'ClusterExecutor.layer: durability must be one of "durable", "volatile", got durabel'
        ],
        [
          { maxWorker: 8 },
          "ClusterExecutor.layer: maxWorker is not an option (did you mean maxWorkers?), got maxWorker: 8"
        ],
        [{ warmUpTimeout: "2 secs" }, "ClusterExecutor.layer: warmUpTimeout must be a duration, got 2 secs"],
        [{ buckets: 0 }, "ClusterExecutor.layer: buckets must be a positive integer, got 0"]
      ]
      for (const [options, message] of cases) {
        assert.strictEqual(
          yield* buildDefect(ClusterExecutor.layer(options as any).pipe(Layer.provide(noSharding))),
          message
        )
      }
    })
  )

  it.effect("layerTest, layerRunner and the storage Layers name themselves", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* buildDefect(ClusterExecutor.layerTest({ module, maxWorkers: 1.5 })),
        "ClusterExecutor.layerTest: maxWorkers must be a positive integer, got 1.5"
      )
      assert.strictEqual(
        yield* buildDefect(ClusterExecutor.layerTest({ module, warmUpTimeout: "1 second" } as any)),
        "ClusterExecutor.layerTest: warmUpTimeout is not an option (the options are maxWorkers, durability, name, tracing, shutdownTimeout, buckets, module, executor), got warmUpTimeout: 1 second"
      )
      assert.strictEqual(
        yield* buildDefect(
          ClusterExecutor.layerRunner({ module, executor: Executor.layerFiber(), bucket: 4 } as any).pipe(
            Layer.provide(noSharding)
          )
        ),
        "ClusterExecutor.layerRunner: bucket is not an option (did you mean buckets?), got bucket: 4"
      )
      assert.strictEqual(
        yield* buildDefect(
          ClusterExecutor.layerSqlite({ path: "/nonexistent/cluster.db", busyTimeout: "2 secs" as any })
        ),
        "ClusterExecutor.layerSqlite: busyTimeout must be a duration, got 2 secs"
      )
      assert.strictEqual(
        yield* buildDefect(
          ClusterExecutor.layerSqlite({ path: "/nonexistent/cluster.db", pruner: { interval: "ten minutes" as any } })
        ),
        "ClusterExecutor.layerSqlite: pruner: interval must be a duration, got ten minutes"
      )
      assert.strictEqual(
        yield* buildDefect(ClusterExecutor.layerPostgres({ url: "postgres://localhost/x", maxConnections: 0 })),
        "ClusterExecutor.layerPostgres: maxConnections must be a positive integer, got 0"
      )
    })
  )
})
