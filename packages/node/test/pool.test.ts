/**
 * How the pool starts its workers: the Layer waits for a first worker only, and workers load the task
 * module one at a time until one is ready, then up to `startLimit` at once. The first with real workers, the
 * second with a fake `Spawn`, which says when each worker is ready.
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { rmSync } from "node:fs"
import { NodeExecutor } from "../src/index.ts"
import { WorkerPool } from "../src/internal/pool.ts"
import * as Protocol from "../src/internal/protocol.ts"
import type { Spawn, WorkerEvents } from "../src/internal/transport.ts"
import { lock, double } from "./fixtures/slowAfterFirst.tasks.ts"
import * as Tasks from "./fixtures/pool.tasks.ts"
import { TIMEOUT } from "./fixtures/pools.ts"

const slowAfterFirst = new URL("./fixtures/slowAfterFirst.tasks.ts", import.meta.url)

describe("start-up", () => {
  it.live.each([
    ["worker threads", NodeExecutor.layerWorkerThreads],
    ["child processes", NodeExecutor.layerChildProcesses]
  ] as const)(
    "%s: the Layer is built once a first worker has loaded the module, and it serves while the others load",
    ([, layer]) =>
      Effect.gen(function* () {
        rmSync(lock(process.pid), { force: true })
        const started = performance.now()
        const [result, stats] = yield* Effect.gen(function* () {
          const future = yield* Executor.submit(double, 21)
          return [yield* Future.result(future), yield* Executor.stats] as const
        }).pipe(Effect.provide(layer({ module: slowAfterFirst, minWorkers: 3, maxWorkers: 3 })))
        // The other two workers take 10 s to load; the scope's close kills them 2 s after asking them to exit.
        assert.isBelow(performance.now() - started, 9_000)
        assert.strictEqual(result, 42)
        assert.strictEqual(stats.workers, 3)
      }).pipe(Effect.ensuring(Effect.sync(() => rmSync(lock(process.pid), { force: true })))),
    TIMEOUT
  )
})

/**
 * A pool over fake workers (the transport's `Spawn` seam): each spawn and each message a worker gets is
 * recorded, and the test plays the workers' side.
 */
const fakePool = (options: { readonly taskName: string; readonly maxWorkers: number; readonly startLimit: number }) =>
  Effect.gen(function* () {
    const workers: Array<{ readonly events: WorkerEvents; readonly posted: Array<Protocol.ToWorker> }> = []
    const spawn: Spawn = (_module, events) => {
      const worker = { events, posted: [] as Array<Protocol.ToWorker> }
      workers.push(worker)
      const exit = () => queueMicrotask(() => events.onExit("closed", undefined))
      return { id: workers.length, post: (message) => void worker.posted.push(message), close: exit, kill: exit }
    }
    const pool = new WorkerPool(
      {
        kind: "worker-threads",
        name: "fake",
        spawn,
        moduleHref: "file:///fake.tasks.js",
        taskNames: new Set([options.taskName]),
        maxWorkers: options.maxWorkers,
        minWorkers: options.maxWorkers,
        idleTimeout: Infinity,
        maxTasksPerWorker: Infinity,
        initializer: undefined,
        interruptGracePeriod: 1000,
        maxQueue: Infinity,
        closeTimeout: 1000,
        startTimeout: 60_000,
        tracing: true,
        startLimit: options.startLimit
      },
      yield* Effect.context<never>()
    )
    yield* Effect.addFinalizer(() => pool.close(Exit.void))
    /** Worker `index` says it has loaded the task module. */
    const ready = (index: number) => workers[index]!.events.onMessage([Protocol.READY, [options.taskName]])
    return { pool, workers, ready }
  })

describe("start limit", () => {
  it.effect("the first worker loads alone; once it is ready, up to startLimit load at once", () =>
    Effect.gen(function* () {
      const { pool, workers, ready } = yield* fakePool({ taskName: "noop", maxWorkers: 4, startLimit: 2 })
      const warmUp = yield* Effect.forkChild(pool.warmUp(4), { startImmediately: true })
      assert.strictEqual(workers.length, 1)
      ready(0)
      yield* Fiber.join(warmUp)
      assert.strictEqual(workers.length, 3)
      ready(2)
      assert.strictEqual(workers.length, 4)
      assert.strictEqual(pool.stats.snapshot().workers, 4)
    }).pipe(Effect.scoped)
  )

  it.effect("workers that wait to be spawned are counted, and a closed pool never spawns them", () =>
    Effect.gen(function* () {
      const { pool, workers } = yield* fakePool({ taskName: "noop", maxWorkers: 4, startLimit: 1 })
      yield* Effect.forkChild(pool.warmUp(4), { startImmediately: true })
      assert.strictEqual(pool.stats.snapshot().workers, 4)
      yield* pool.close(Exit.void)
      assert.strictEqual(workers.length, 1)
      assert.strictEqual(pool.stats.snapshot().workers, 0)
    }).pipe(Effect.scoped)
  )
})

describe("batches over fake workers", () => {
  /** A pool of at most one worker at a time over fake workers: the test sees every message and answers. */
  const onePool = Effect.gen(function* () {
    const { pool, ready, workers } = yield* fakePool({ taskName: "countPrimes", maxWorkers: 1, startLimit: 1 })
    const warmUp = yield* Effect.forkChild(pool.warmUp(1), { startImmediately: true })
    ready(0)
    yield* Fiber.join(warmUp)
    /** The task ids of each RUN message a worker got. */
    const runs = (index: number) =>
      workers[index]!.posted.filter((message) => message[0] === Protocol.RUN).map((message) =>
        message.filter((_, i) => i % 3 === 1)
      )
    const answer = (index: number, id: number, value: number) =>
      workers[index]!.events.onMessage([Protocol.RESULT, id, Protocol.SUCCESS, value])
    return { pool, workers, runs, answer }
  })

  it.effect("a worker that dies mid-batch fails only its executing task; the rest go to its replacement first", () =>
    Effect.gen(function* () {
      const { pool, workers, runs, answer } = yield* onePool
      const [a, b, c, d] = yield* Effect.forEach([1, 2, 3, 4], (n) => pool.submit(Tasks.countPrimes, n, undefined))
      assert.deepStrictEqual(runs(0), [[1]])
      assert.strictEqual(pool.stats.snapshot().queued, 3)
      answer(0, 1, 10)
      assert.strictEqual(yield* Future.result(a!), 10)
      // The queue is deeper than the free workers: the other three go in one message, all running.
      assert.deepStrictEqual(runs(0), [[1], [2, 3, 4]])
      assert.deepStrictEqual(yield* Effect.forEach([b!, c!, d!], Future.state), ["running", "running", "running"])
      workers[0]!.events.onExit("the worker thread exited with code 3", undefined)
      const error = yield* Effect.flip(Future.result(b!))
      assert.instanceOf(error, FutureError.BrokenExecutorError)
      assert.include(error.message, "while it ran task")
      assert.strictEqual(workers.length, 2)
      workers[1]!.events.onMessage([Protocol.READY, ["countPrimes"]])
      assert.deepStrictEqual(runs(1), [[3, 4]])
      answer(1, 3, 30)
      answer(1, 4, 40)
      assert.deepStrictEqual(yield* Effect.forEach([c!, d!], (future) => Future.result(future)), [30, 40])
      const stats = pool.stats.snapshot()
      assert.deepStrictEqual([stats.completed, stats.failed, stats.busy, stats.workers], [3, 1, 0, 1])
    }).pipe(Effect.scoped)
  )

  it.effect("an answer completes its future only after the worker has its next tasks", () =>
    Effect.gen(function* () {
      const { pool, runs, answer } = yield* onePool
      const [a, b] = yield* Effect.forEach([1, 2], (n) => pool.submit(Tasks.countPrimes, n, undefined))
      let seen: ReadonlyArray<ReadonlyArray<unknown>> = []
      yield* Future.addDoneCallback(a!, () => {
        seen = runs(0)
      })
      answer(0, 1, 10)
      yield* Future.await(a!)
      assert.deepStrictEqual(seen, [[1], [2]])
      answer(0, 2, 20)
      assert.strictEqual(yield* Future.result(b!), 20)
    }).pipe(Effect.scoped)
  )
})
