/**
 * Batched dispatch and chunked `map`: a deep queue goes to workers several tasks per message, every handed
 * task is running, a crash fails only the task its worker was executing (the batch's others run elsewhere,
 * once), an interrupt skips a handed task that has not started, recycling loses nothing; `map` with
 * `chunkSize` keeps its order, its first failure and its cancellation on both pools and on `layerFiber`.
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Stream } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MAX_BATCH } from "../src/internal/dispatch.ts"
import * as Tasks from "./fixtures/pool.tasks.ts"
import { pools, TIMEOUT } from "./fixtures/pools.ts"
import { recordedPool } from "./fixtures/recordedPool.ts"

/** A fresh file that `Tasks.appendLine` writes to, removed afterwards; `lines()` reads what was written. */
const journal = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = mkdtempSync(join(tmpdir(), "effect-futures-batching-"))
    const path = join(dir, "journal")
    return {
      path,
      lines: (): Array<string> => {
        try {
          return readFileSync(path, "utf8")
            .split("\n")
            .filter((line) => line !== "")
        } catch {
          return []
        }
      },
      dir
    }
  }),
  ({ dir }) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const squashed = <A, E>(future: Future.Future<A, E>) =>
  Effect.map(Future.await(future), (exit) => (Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined))

describe.each(pools)("$name, batches", (pool) => {
  it.live(
    "a deep queue is handed to workers in batches, and every task runs once",
    () => {
      const { layer, recording } = recordedPool(pool.name)
      return Effect.gen(function* () {
        const { path, lines } = yield* journal
        const futures = yield* Effect.forEach(
          Array.from({ length: 300 }, (_, i) => i),
          (i) => Executor.submit(Tasks.appendLine, { path, line: String(i) })
        )
        yield* Effect.forEach(futures, (future) => Future.result(future), { discard: true })
        const { dispatch } = recording
        assert.strictEqual(dispatch.tasks, 300)
        assert.isBelow(dispatch.messages, 300, "no two tasks went in one message")
        assert.isAbove(dispatch.largest, 1)
        assert.isAtMost(dispatch.largest, MAX_BATCH)
        assert.deepStrictEqual(
          lines().sort((a, b) => Number(a) - Number(b)),
          Array.from({ length: 300 }, (_, i) => String(i))
        )
        const stats = yield* Executor.stats
        assert.strictEqual(stats.completed, 300)
        assert.strictEqual(stats.busy, 0)
      }).pipe(Effect.scoped, Effect.provide(layer))
    },
    TIMEOUT
  )

  it.live(
    "a shallow queue still goes one task per message",
    () => {
      const { layer, recording } = recordedPool(pool.name, { maxWorkers: 1 })
      return Effect.gen(function* () {
        for (let i = 0; i < 20; i++) {
          yield* Effect.flatMap(Executor.submit(Tasks.countPrimes, 100), Future.result)
        }
        const { dispatch } = recording
        assert.strictEqual(dispatch.messages, 20)
        assert.strictEqual(dispatch.largest, 1)
      }).pipe(Effect.provide(layer))
    },
    TIMEOUT
  )

  it.live(
    "handed tasks are running: cancel returns false, and a crash mid-batch fails only the executing task",
    () => {
      const { layer, recording } = recordedPool(pool.name, { maxWorkers: 1 })
      return Effect.gen(function* () {
        const { path, lines } = yield* journal
        const first = yield* Executor.submit(Tasks.sleep, 100)
        const before = yield* Effect.forEach([0, 1, 2], (i) =>
          Executor.submit(Tasks.appendLine, { path, line: `${i}` })
        )
        const crash = yield* Executor.submit(Tasks.crash, "exit")
        const after = yield* Effect.forEach([3, 4, 5], (i) => Executor.submit(Tasks.appendLine, { path, line: `${i}` }))
        assert.strictEqual(yield* Future.state(after[2]!), "pending")
        // When the first task ends, its worker gets the other seven in one message, all running.
        assert.strictEqual(yield* Future.result(first), 100)
        assert.strictEqual(recording.dispatch.largest, 7)
        assert.strictEqual(yield* Future.state(after[2]!), "running")
        assert.isFalse(yield* Future.cancel(after[2]!))
        const error = yield* squashed(crash)
        assert.instanceOf(error, FutureError.BrokenExecutorError)
        for (const future of [...before, ...after]) assert.isDefined(yield* Future.result(future))
        // Each ran exactly once: the three before the crash in the dead worker, the rest in its replacement.
        assert.deepStrictEqual(lines(), ["0", "1", "2", "3", "4", "5"])
        const stats = yield* Executor.stats
        assert.strictEqual(stats.failed, 1)
        assert.strictEqual(stats.completed, 7)
      }).pipe(Effect.scoped, Effect.provide(layer))
    },
    TIMEOUT
  )

  it.live(
    "interrupting a handed task that has not started skips it: it never runs and ends cancelled",
    () => {
      const { layer, recording } = recordedPool(pool.name, { maxWorkers: 1 })
      return Effect.gen(function* () {
        const { path, lines } = yield* journal
        const first = yield* Executor.submit(Tasks.sleep, 10)
        const executing = yield* Executor.submit(Tasks.sleep, 300)
        const skipped = yield* Executor.submit(Tasks.appendLine, { path, line: "skipped" })
        const last = yield* Executor.submit(Tasks.appendLine, { path, line: "last" })
        assert.strictEqual(yield* Future.result(first), 10)
        assert.strictEqual(recording.dispatch.largest, 3)
        assert.strictEqual(yield* Future.state(skipped), "running")
        assert.isFalse(yield* Future.cancel(skipped))
        assert.isTrue(yield* Future.interrupt(skipped))
        assert.strictEqual(yield* Future.state(skipped), "cancelled")
        assert.instanceOf(yield* squashed(skipped), FutureError.CancelledError)
        assert.strictEqual(yield* Future.result(executing), 300)
        assert.isDefined(yield* Future.result(last))
        assert.deepStrictEqual(lines(), ["last"])
        assert.strictEqual((yield* Executor.stats).cancelled, 1)
      }).pipe(Effect.scoped, Effect.provide(layer))
    },
    TIMEOUT
  )

  it.live(
    "interrupting a handed task behind one that never ends returns at once, and the task never runs",
    () => {
      const { layer, recording } = recordedPool(pool.name, { maxWorkers: 1 })
      return Effect.gen(function* () {
        const { path, lines } = yield* journal
        const first = yield* Executor.submit(Tasks.sleep, 10)
        const hanging = yield* Executor.submit(Tasks.sleepForever, undefined)
        const behind = yield* Executor.submit(Tasks.appendLine, { path, line: "behind" })
        const last = yield* Executor.submit(Tasks.appendLine, { path, line: "last" })
        assert.strictEqual(yield* Future.result(first), 10)
        assert.strictEqual(recording.dispatch.largest, 3)
        assert.isTrue(yield* Future.interrupt(behind))
        assert.strictEqual(yield* Future.state(behind), "cancelled")
        assert.strictEqual(yield* Future.state(hanging), "running")
        assert.isTrue(yield* Future.interrupt(hanging))
        assert.isDefined(yield* Future.result(last))
        assert.deepStrictEqual(lines(), ["last"])
      }).pipe(Effect.scoped, Effect.provide(layer))
    },
    TIMEOUT
  )

  it.live(
    "interrupting the executing task of a batch lets the rest of the batch run",
    () => {
      const { layer, recording } = recordedPool(pool.name, { maxWorkers: 1 })
      return Effect.gen(function* () {
        const first = yield* Executor.submit(Tasks.sleep, 10)
        const hanging = yield* Executor.submit(Tasks.sleepForever, undefined)
        const rest = yield* Effect.forEach([100, 10, 1000], (n) => Executor.submit(Tasks.countPrimes, n))
        assert.strictEqual(yield* Future.result(first), 10)
        assert.strictEqual(recording.dispatch.largest, 4)
        assert.isTrue(yield* Future.interrupt(hanging))
        assert.deepStrictEqual(yield* Effect.forEach(rest, (future) => Future.result(future)), [25, 4, 168])
      }).pipe(Effect.provide(layer))
    },
    TIMEOUT
  )

  it.live(
    "a result that cannot be sent fails its task with TaskEncodeError, and the rest of the batch runs",
    () => {
      const { layer, recording } = recordedPool(pool.name, { maxWorkers: 1 })
      return Effect.gen(function* () {
        const first = yield* Executor.submit(Tasks.sleep, 10)
        const unsendable = yield* Executor.submit(Tasks.returnsFunction, 1)
        const rest = yield* Effect.forEach([100, 10], (n) => Executor.submit(Tasks.countPrimes, n))
        assert.strictEqual(yield* Future.result(first), 10)
        assert.strictEqual(recording.dispatch.largest, 3)
        assert.instanceOf(yield* squashed(unsendable), FutureError.TaskEncodeError)
        assert.deepStrictEqual(yield* Effect.forEach(rest, (future) => Future.result(future)), [25, 4])
      }).pipe(Effect.provide(layer))
    },
    TIMEOUT
  )

  it.live(
    "recycling with batches never loses or double-runs a task",
    () => {
      const { layer, recording } = recordedPool(pool.name, { maxWorkers: 2, maxTasks: 3 })
      return Effect.gen(function* () {
        const { path, lines } = yield* journal
        const futures = yield* Effect.forEach(
          Array.from({ length: 40 }, (_, i) => i),
          (i) => Executor.submit(Tasks.appendLine, { path, line: String(i) })
        )
        const who = yield* Effect.forEach(futures, (future) => Future.result(future))
        const { dispatch } = recording
        assert.isAtMost(dispatch.largest, 3)
        assert.isBelow(dispatch.messages, 40)
        const perWorker = new Map<number, number>()
        for (const worker of who) perWorker.set(pool.workerId(worker), (perWorker.get(pool.workerId(worker)) ?? 0) + 1)
        for (const count of perWorker.values()) assert.isAtMost(count, 3)
        assert.isAtLeast(perWorker.size, 14)
        assert.deepStrictEqual(
          lines().sort((a, b) => Number(a) - Number(b)),
          Array.from({ length: 40 }, (_, i) => String(i))
        )
      }).pipe(Effect.scoped, Effect.provide(layer))
    },
    TIMEOUT
  )
})

const chunkLayers = [
  ...pools.map((pool) => ({ name: pool.name, layer: () => pool.layer() as Layer.Layer<Executor.Executor, unknown> })),
  { name: "layerFiber", layer: () => Executor.layerFiber({ maxWorkers: 2 }) as Layer.Layer<Executor.Executor, unknown> }
]

describe.each(chunkLayers)("$name, map with chunkSize", (executor) => {
  it.live(
    "results stream one by one in submission order",
    () =>
      Effect.gen(function* () {
        const inputs = Array.from({ length: 103 }, (_, i) => (i * 37) % 200)
        const results = yield* Stream.runCollect(Executor.map(Tasks.countPrimes, inputs, { chunkSize: 8 }))
        assert.deepStrictEqual(Array.from(results), inputs.map(Tasks.countPrimesBelow))
      }).pipe(Effect.provide(executor.layer())),
    TIMEOUT
  )

  it.live(
    "the first failure in order fails the stream after every result before it",
    () =>
      Effect.gen(function* () {
        const inputs = Array.from({ length: 60 }, (_, i) => (i === 21 || i === 40 ? -i : i))
        const emitted: Array<number> = []
        const exit = yield* Effect.exit(
          Stream.runForEach(Executor.map(Tasks.countPrimes, inputs, { chunkSize: 5, buffer: 3 }), (n) =>
            Effect.sync(() => emitted.push(n))
          )
        )
        assert.deepStrictEqual(emitted, inputs.slice(0, 21).map(Tasks.countPrimesBelow))
        assert.isTrue(Exit.isFailure(exit))
        const error = Cause.squash((exit as Exit.Failure<void, unknown>).cause)
        assert.instanceOf(error, Tasks.PrimeLimitError)
        assert.strictEqual((error as Tasks.PrimeLimitError).limit, -21)
      }).pipe(Effect.provide(executor.layer())),
    TIMEOUT
  )

  it.live(
    "ending the stream early stops the chunks in flight",
    () =>
      Effect.gen(function* () {
        const inputs = [5, 5, 5, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000]
        const results = yield* Stream.runCollect(
          Executor.map(Tasks.sleep, inputs, { chunkSize: 3, buffer: 3 }).pipe(Stream.take(3))
        )
        assert.deepStrictEqual(Array.from(results), [5, 5, 5])
        const stats = yield* Executor.stats
        assert.strictEqual(stats.busy, 0)
        assert.strictEqual(stats.cancelled, 2)
      }).pipe(Effect.provide(executor.layer())),
    TIMEOUT
  )

  it.live(
    "a timeout fails the stream with TimeoutError after what finished in time",
    () =>
      Effect.gen(function* () {
        const emitted: Array<number> = []
        const exit = yield* Effect.exit(
          Stream.runForEach(
            Executor.map(Tasks.sleep, [1, 1, 60_000, 60_000], { chunkSize: 2, timeout: "1 second" }),
            (n) => Effect.sync(() => emitted.push(n))
          )
        )
        assert.deepStrictEqual(emitted, [1, 1])
        assert.isTrue(Exit.isFailure(exit))
        assert.instanceOf(Cause.squash((exit as Exit.Failure<void, unknown>).cause), FutureError.TimeoutError)
      }).pipe(Effect.provide(executor.layer())),
    TIMEOUT
  )
})

describe.each(pools)("$name, chunks and crashes", (pool) => {
  it.live(
    "a worker that dies in a chunk fails the stream with BrokenExecutorError, and the pool keeps serving",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          Stream.runCollect(Executor.map(Tasks.crash, ["exit" as const, "exit" as const], { chunkSize: 2 }))
        )
        assert.instanceOf(error, FutureError.BrokenExecutorError)
        const results = yield* Stream.runCollect(Executor.map(Tasks.countPrimes, [10, 100], { chunkSize: 2 }))
        assert.deepStrictEqual(Array.from(results), [4, 25])
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )
})
