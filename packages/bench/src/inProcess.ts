/**
 * Comparison 4, in-process: many tiny Effects through `layerFiber` (submit every one and then wait for
 * every result, Python's way; and `Executor.map`) against `Effect.forEach` with the same concurrency, and
 * against p-limit and p-map on Promises.
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
  const tiny = (n: number) => Effect.succeed(n + 1)
  const fiberLayer = Executor.layerFiber({ maxWorkers: concurrency })
  return [
    {
      title: `${tasks.toLocaleString("en-US")} tiny Effects, concurrency ${concurrency}`,
      operations: tasks,
      unit: "task",
      baseline: "Effect.forEach",
      contenders: [
        effectContender(
          "Effect.forEach",
          Layer.empty,
          Effect.asVoid(Effect.forEach(inputs, tiny, { concurrency, discard: true }))
        ),
        // Effect.forEach runs an element that is already an Exit (Effect.succeed) inline; Effect.sync makes
        // it fork a fiber per element, as a pool must.
        effectContender(
          "Effect.forEach, Effect.sync (a fiber per task)",
          Layer.empty,
          Effect.asVoid(Effect.forEach(inputs, (n) => Effect.sync(() => n + 1), { concurrency, discard: true }))
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
        ),
        effectContender(
          "ours: layerFiber Executor.map, chunkSize 256",
          fiberLayer,
          Stream.runDrain(Executor.map(tiny, inputs, { chunkSize: 256 }))
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
