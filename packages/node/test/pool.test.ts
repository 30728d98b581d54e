/**
 * How the pool starts its workers: the Layer waits for a first worker only, and workers load the task
 * module one at a time until one is ready, then up to `startLimit` at once. The first with real workers, the
 * second with a fake `Spawn`, which says when each worker is ready.
 */
import { Executor, Future } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { rmSync } from "node:fs"
import { NodeExecutor } from "../src/index.ts"
import { WorkerPool } from "../src/internal/pool.ts"
import * as Protocol from "../src/internal/protocol.ts"
import type { Spawn, WorkerEvents } from "../src/internal/transport.ts"
import { lock, double } from "./fixtures/slowAfterFirst.tasks.ts"
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

describe("start limit", () => {
  /** A pool over fake workers: each spawn is recorded, and the test says when a worker has loaded. */
  const fakePool = (startLimit: number) =>
    Effect.gen(function* () {
      const workers: Array<WorkerEvents> = []
      const spawn: Spawn = (_module, events) => {
        workers.push(events)
        const exit = () => queueMicrotask(() => events.onExit("closed", undefined))
        return { id: workers.length, post: () => {}, close: exit, kill: exit }
      }
      const pool = new WorkerPool(
        {
          kind: "worker-threads",
          name: "fake",
          spawn,
          moduleHref: "file:///fake.tasks.js",
          taskNames: new Set(["noop"]),
          maxWorkers: 4,
          minWorkers: 4,
          idleTimeout: Infinity,
          maxTasksPerWorker: Infinity,
          initializer: undefined,
          interruptGracePeriod: 1000,
          maxQueue: Infinity,
          closeTimeout: 1000,
          startTimeout: 60_000,
          startLimit
        },
        yield* Effect.context<never>()
      )
      yield* Effect.addFinalizer(() => pool.close(Exit.void))
      const ready = (index: number) => workers[index]!.onMessage([Protocol.READY, ["noop"]])
      return { pool, workers, ready }
    })

  it.effect("the first worker loads alone; once it is ready, up to startLimit load at once", () =>
    Effect.gen(function* () {
      const { pool, workers, ready } = yield* fakePool(2)
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
      const { pool, workers } = yield* fakePool(1)
      yield* Effect.forkChild(pool.warmUp(4), { startImmediately: true })
      assert.strictEqual(pool.stats.snapshot().workers, 4)
      yield* pool.close(Exit.void)
      assert.strictEqual(workers.length, 1)
      assert.strictEqual(pool.stats.snapshot().workers, 0)
    }).pipe(Effect.scoped)
  )
})
