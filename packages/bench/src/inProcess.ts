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
  const value = (n: number) => Effect.succeed(n + 1)
  const code = (n: number) => Effect.sync(() => n + 1)
  const forEach = (tiny: (n: number) => Effect.Effect<number>) =>
    effectContender(
      "Effect.forEach",
      Layer.empty,
      Effect.asVoid(Effect.forEach(inputs, tiny, { concurrency, discard: true }))
    )
  const map = (tiny: (n: number) => Effect.Effect<number>) =>
    effectContender(
      "ours: layerFiber Executor.map",
      fiberLayer,
      Stream.runDrain(Executor.map(tiny, inputs, { buffer: 2 * concurrency }))
    )
  // Python's shape (submit everything, then await everything) costs two passes and an object per task before
  // any pool: this row is that shape with no pool at all, the floor of the next one.
  const floor = (tiny: (n: number) => Effect.Effect<number>) =>
    effectContender(
      "two Effect.forEach passes, no pool (floor of submit + result)",
      Layer.empty,
      Effect.gen(function* () {
        const boxes = yield* Effect.forEach(inputs, (n) => Effect.sync(() => ({ n })))
        yield* Effect.forEach(boxes, (box) => Effect.suspend(() => tiny(box.n)), { discard: true })
      })
    )
  const submitAll = (tiny: (n: number) => Effect.Effect<number>) =>
    effectContender(
      "ours: layerFiber submit + result",
      fiberLayer,
      Effect.gen(function* () {
        const futures = yield* Effect.forEach(inputs, (n) => Executor.submit(tiny(n)))
        yield* Effect.forEach(futures, (future) => Future.result(future), { discard: true })
      })
    )
  const count = tasks.toLocaleString("en-US")
  // Rounds of a few milliseconds: more warm-up and more rounds than the run's.
  const short = { operations: tasks, unit: "task", warmup: 5, rounds: 15 } as const
  return [
    {
      ...short,
      title: `map: ${count} tiny Effects that are already values (Effect.succeed), concurrency ${concurrency}`,
      baseline: "Effect.forEach",
      contenders: [forEach(value), map(value)]
    },
    {
      ...short,
      title: `map: ${count} tiny Effects that run code (Effect.sync), concurrency ${concurrency}`,
      baseline: "Effect.forEach",
      contenders: [
        forEach(code),
        map(code),
        effectContender(
          "ours: layerFiber Executor.map, chunkSize 256",
          fiberLayer,
          Stream.runDrain(Executor.map(code, inputs, { chunkSize: 256 }))
        ),
        plainContender("p-map", async () => {
          await pMap(inputs, async (n) => n + 1, { concurrency })
        })
      ]
    },
    {
      ...short,
      title: `submit all, then await all: ${count} tiny Effects that are already values (Effect.succeed), concurrency ${concurrency}`,
      baseline: "two Effect.forEach passes, no pool (floor of submit + result)",
      contenders: [floor(value), submitAll(value)]
    },
    {
      ...short,
      title: `submit all, then await all: ${count} tiny Effects that run code (Effect.sync), concurrency ${concurrency}`,
      baseline: "two Effect.forEach passes, no pool (floor of submit + result)",
      contenders: [
        floor(code),
        submitAll(code),
        plainContender("p-limit", async () => {
          const limit = pLimit(concurrency)
          await Promise.all(inputs.map((n) => limit(async () => n + 1)))
        })
      ]
    }
  ]
}
