/**
 * Comparison 5, scaling of the combinators: `Future.asCompleted` and `Future.wait` over 1k / 10k / 100k
 * pending futures that are then completed one by one; time from the start of the combinator until it has
 * seen every future, and the heap it holds while waiting. Linear growth means the 100k / 10k ratio is ~10.
 * An Effect-native reference does the same wait with `Deferred`s and `Effect.forEach`.
 */
import { Future } from "@effect-futures/core"
import { Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { performance } from "node:perf_hooks"
import { plainContender, type Measurement, type Table, type TableSpec } from "./harness.ts"

const gc = (globalThis as { gc?: () => void }).gc

const heapNow = (): number | undefined => {
  if (gc === undefined) return undefined
  gc()
  return process.memoryUsage().heapUsed
}

/** Yields to the event loop until `registered()` holds: the combinator has subscribed to every future. */
const untilRegistered = (registered: () => boolean) =>
  Effect.gen(function* () {
    while (!registered()) yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
  })

const hasListener = (future: Future.Future<number>): boolean =>
  ((future as unknown as { listeners?: Set<unknown> }).listeners?.size ?? 0) > 0

const measureFutures = (
  size: number,
  combinator: (futures: ReadonlyArray<Future.Future<number>>) => Effect.Effect<unknown, unknown>
): Effect.Effect<Measurement, unknown> =>
  Effect.gen(function* () {
    const futures = yield* Effect.forEach(Array.from({ length: size }), () => Future.make<number>())
    const last = futures[size - 1]!
    const heapBefore = heapNow()
    const started = performance.now()
    const fiber = yield* Effect.forkChild(combinator(futures))
    yield* untilRegistered(() => hasListener(last))
    const gcStarted = performance.now()
    const heapWaiting = heapNow()
    const gcTime = performance.now() - gcStarted
    let i = 0
    for (const future of futures) yield* Future.complete(future, Exit.succeed(i++))
    yield* Fiber.join(fiber)
    return {
      // The time spent measuring the heap is not the combinator's.
      seconds: (performance.now() - started - gcTime) / 1000,
      heapBytes: heapBefore === undefined || heapWaiting === undefined ? undefined : heapWaiting - heapBefore
    }
  })

const measureDeferreds = (size: number): Effect.Effect<Measurement> =>
  Effect.gen(function* () {
    const deferreds = yield* Effect.forEach(Array.from({ length: size }), () => Deferred.make<number>())
    const heapBefore = heapNow()
    const started = performance.now()
    let waiting = 0
    const fiber = yield* Effect.forkChild(
      Effect.forEach(deferreds, (deferred) => Effect.suspend(() => (waiting++, Deferred.await(deferred))), {
        concurrency: "unbounded",
        discard: true
      })
    )
    yield* untilRegistered(() => waiting === size)
    const gcStarted = performance.now()
    const heapWaiting = heapNow()
    const gcTime = performance.now() - gcStarted
    let i = 0
    for (const deferred of deferreds) yield* Deferred.succeed(deferred, i++)
    yield* Fiber.join(fiber)
    return {
      seconds: (performance.now() - started - gcTime) / 1000,
      heapBytes: heapBefore === undefined || heapWaiting === undefined ? undefined : heapWaiting - heapBefore
    }
  })

export const combinatorScaling = (sizes: ReadonlyArray<number>): ReadonlyArray<TableSpec> =>
  sizes.map((size) => ({
    title: `${size.toLocaleString("en-US")} futures`,
    operations: size,
    unit: "future",
    baseline: "Deferred + Effect.forEach (reference)",
    contenders: [
      plainContender("Deferred + Effect.forEach (reference)", () => Effect.runPromise(measureDeferreds(size))),
      plainContender("ours: asCompleted", () =>
        Effect.runPromise(measureFutures(size, (futures) => Stream.runDrain(Future.asCompleted(futures))))
      ),
      plainContender("ours: wait ALL_COMPLETED", () =>
        Effect.runPromise(measureFutures(size, (futures) => Future.wait(futures)))
      )
    ]
  }))

/** The growth factors the issue asks for: the 100k / 10k ratio of time and of heap per contender. */
export const scalingSummary = (tables: ReadonlyArray<Table>): ReadonlyArray<string> => {
  const lines: Array<string> = []
  for (let i = 1; i < tables.length; i++) {
    const small = tables[i - 1]!
    const large = tables[i]!
    const factor = large.operations / small.operations
    for (const row of large.rows) {
      const before = small.rows.find((other) => other.name === row.name)
      if (before === undefined) continue
      const time = row.median / before.median
      const heap =
        row.heapBytes !== undefined && before.heapBytes !== undefined && before.heapBytes > 0
          ? `, heap ${(row.heapBytes / before.heapBytes).toFixed(1)}x (${(row.heapBytes / large.operations).toFixed(0)} B / future)`
          : ""
      lines.push(
        `${row.name}, ${large.operations.toLocaleString("en-US")} / ${small.operations.toLocaleString("en-US")} futures: time ${time.toFixed(1)}x${heap} — ${time <= factor * 1.5 ? "linear" : "worse than linear"} (ideal ${factor}x)`
      )
    }
  }
  return lines
}
