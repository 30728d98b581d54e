/**
 * Comparison 4, in-process: many tiny Effects through `layerFiber` (submit every one and then wait for
 * every result, Python's way; and `Executor.map`) against `Effect.forEach` with the same concurrency, and
 * against p-limit and p-map on Promises. Two kinds of tiny Effect: one that is already its value
 * (`Effect.succeed`, an `Exit`: neither `Effect.forEach` nor the pool forks a fiber for it) and one that runs
 * code (`Effect.sync`: a fiber per task for both).
 */
import { Executor, Future } from "@effect-futures/core"
import { Effect, Layer, Stream } from "effect"
import pLimit from "p-limit"
import pMap from "p-map"
import { effectContender, plainContender, type TableSpec } from "./harness.ts"

export interface InProcessOptions {
  readonly tasks: number
  readonly concurrency: number
}

export const inProcess = (options: InProcessOptions): ReadonlyArray<TableSpec> => {
  const { tasks, concurrency } = options
  const inputs = Array.from({ length: tasks }, (_, i) => i)
  const fiberLayer = Executor.layerFiber({ maxWorkers: concurrency })
  const oursAndForEach = (tiny: (n: number) => Effect.Effect<number>) => [
    effectContender(
      "Effect.forEach",
      Layer.empty,
      Effect.asVoid(Effect.forEach(inputs, tiny, { concurrency, discard: true }))
    ),
    // Python's shape (submit everything, then await everything) costs two passes and an object per task
    // before any pool: this row is that shape with no pool, the floor of the next one.
    effectContender(
      "two Effect.forEach passes, no pool (floor of submit + result)",
      Layer.empty,
      Effect.gen(function* () {
        const boxes = yield* Effect.forEach(inputs, (n) => Effect.sync(() => ({ n })))
        yield* Effect.forEach(boxes, (box) => Effect.suspend(() => tiny(box.n)), { discard: true })
      })
    ),
    effectContender(
      "ours: layerFiber submit + result",
      fiberLayer,
      Effect.gen(function* () {
        const futures = yield* Effect.forEach(inputs, (n) => Executor.submit(tiny(n)))
        yield* Effect.forEach(futures, (future) => Future.result(future), { discard: true })
      })
    ),
    effectContender(
      "ours: layerFiber Executor.map",
      fiberLayer,
      Stream.runDrain(Executor.map(tiny, inputs, { buffer: 2 * concurrency }))
    )
  ]
  const count = tasks.toLocaleString("en-US")
  return [
    {
      title: `${count} tiny Effects that are already values (Effect.succeed), concurrency ${concurrency}`,
      operations: tasks,
      unit: "task",
      baseline: "Effect.forEach",
      warmup: 5,
      rounds: 15,
      contenders: oursAndForEach((n) => Effect.succeed(n + 1))
    },
    {
      title: `${count} tiny Effects that run code (Effect.sync), concurrency ${concurrency}`,
      operations: tasks,
      unit: "task",
      baseline: "Effect.forEach",
      warmup: 5,
      rounds: 15,
      contenders: [
        ...oursAndForEach((n) => Effect.sync(() => n + 1)),
        effectContender(
          "ours: layerFiber Executor.map, chunkSize 256",
          fiberLayer,
          Stream.runDrain(Executor.map((n: number) => Effect.sync(() => n + 1), inputs, { chunkSize: 256 }))
        ),
        plainContender("p-limit", async () => {
          const limit = pLimit(concurrency)
          await Promise.all(inputs.map((n) => limit(async () => n + 1)))
        }),
        plainContender("p-map", async () => {
          await pMap(inputs, async (n) => n + 1, { concurrency })
        })
      ]
    }
  ]
}
