/**
 * Comparison 1, empty-task round trip on a pool of 2 worker threads: ours (`layerWorkerThreads`, through
 * `Executor.submit` + `Future.result` and through `Executor.map`) against piscina, tinypool, workerpool,
 * poolifier, effect/rpc's worker pool and a bare worker_threads echo (the floor). Three shapes: a bounded
 * number in flight (the 64), a deep queue (everything submitted at once) and one at a time
 * (latency).
 */
import { Executor, Future, type Task } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { ThreadPoolExecutor } from "@effect-futures/promise"
import * as NodeWorker from "@effect/platform-node/NodeWorker"
import { Context, Effect, Layer, Stream } from "effect"
import { RpcClient, type RpcGroup } from "effect/rpc"
import type { RpcClientError } from "effect/rpc/RpcClientError"
import { Worker } from "node:worker_threads"
import { Piscina } from "piscina"
import { FixedThreadPool } from "poolifier"
import { Tinypool } from "tinypool"
import workerpool from "workerpool"
import { type Contender, effectContender, pipeline, type TableSpec } from "./harness.ts"
import { rawThreads } from "./workers/rawThreads.ts"
import { BenchRpcs } from "./workers/rpcContract.ts"
import { noop, noopFunction } from "./workers/tasks.ts"

const workers = 2
const poolWorker = new URL("./workers/pool.worker.ts", import.meta.url)
export const tasksModule = new URL("./workers/tasks.ts", import.meta.url)

/** How the tasks are driven: at most `inFlight` outstanding, or all submitted at once (`"all"`). */
export type Shape = number | "all"

const drive = (tasks: number, shape: Shape, run: (n: number) => Promise<unknown>): Promise<unknown> =>
  shape === "all" ? Promise.all(Array.from({ length: tasks }, (_, i) => run(i))) : pipeline(tasks, shape, run)

/** A Promise-based pool: started once, driven each round, closed at the end. */
export const promisePool = <P>(
  name: string,
  make: () => Promise<P> | P,
  run: (pool: P, n: number) => Promise<unknown>,
  close: (pool: P) => Promise<unknown>,
  tasks: number,
  shape: Shape
): Contender => ({
  name,
  start: async () => {
    const pool = await make()
    // One task per worker before the first round, so every worker has started.
    await Promise.all(Array.from({ length: 2 * workers }, (_, i) => run(pool, i)))
    return {
      round: async () => {
        await drive(tasks, shape, (n) => run(pool, n))
      },
      close: async () => {
        await close(pool)
      }
    }
  }
})

class BenchClient extends Context.Service<
  BenchClient,
  RpcClient.RpcClient<RpcGroup.Rpcs<typeof BenchRpcs>, RpcClientError>
>()("bench/BenchClient") {}

const rpcLayer = Layer.effect(BenchClient)(RpcClient.make(BenchRpcs)).pipe(
  Layer.provide(RpcClient.layerProtocolWorker({ size: workers, concurrency: 1 })),
  Layer.provide(NodeWorker.layer(() => new Worker(new URL("./workers/rpc.worker.ts", import.meta.url))))
)

const oursLayer = () =>
  NodeExecutor.layerWorkerThreads({ module: tasksModule, maxWorkers: workers, minWorkers: workers })

/** `Executor.submit` + `Future.result` for each task, `inFlight` fibers at a time, or all submitted first. */
export const submitAndWait = <I, A, E>(task: Task.Task<I, A, E>, inputs: ReadonlyArray<I>, shape: Shape) =>
  shape === "all"
    ? Effect.gen(function* () {
        const futures = yield* Effect.forEach(inputs, (input) => Executor.submit(task, input))
        yield* Effect.forEach(futures, (future) => Future.result(future), { discard: true })
      })
    : Effect.forEach(inputs, (input) => Effect.flatMap(Executor.submit(task, input), Future.result), {
        concurrency: shape,
        discard: true
      })

const promiseExecutor = async () => {
  const executor = new ThreadPoolExecutor({ module: tasksModule, maxWorkers: workers, minWorkers: workers })
  await executor.ready
  return executor
}

/**
 * The Promise API (`@effect-futures/promise`) on the same pool, as code without Effect drives it: `submit` +
 * `result()` per task, and `for await` over `map`.
 */
const promiseContenders = (inputs: ReadonlyArray<number>, shape: Shape): ReadonlyArray<Contender> => [
  promisePool(
    "promise API: submit + result",
    promiseExecutor,
    (executor, n) => executor.submit(noop, n).result(),
    (executor) => executor.shutdown(),
    inputs.length,
    shape
  ),
  ...(shape === 1
    ? []
    : [
        {
          name: "promise API: map",
          start: async () => {
            const executor = await promiseExecutor()
            return {
              round: async () => {
                for await (const _ of executor.map(noop, inputs, { buffer: shape === "all" ? inputs.length : shape })) {
                  // Only the round trip is measured.
                }
              },
              close: () => executor.shutdown()
            }
          }
        }
      ])
]

export const peerContenders = (tasks: number, shape: Shape): ReadonlyArray<Contender> => [
  promisePool(
    "piscina",
    () => new Piscina({ filename: poolWorker.href, minThreads: workers, maxThreads: workers }),
    (pool, n) => pool.run(n),
    (pool) => pool.destroy(),
    tasks,
    shape
  ),
  promisePool(
    "tinypool",
    () => new Tinypool({ filename: poolWorker.href, minThreads: workers, maxThreads: workers }),
    (pool, n) => pool.run(n),
    (pool) => pool.destroy(),
    tasks,
    shape
  ),
  promisePool(
    "workerpool",
    () =>
      workerpool.pool(new URL("./workers/workerpool.worker.ts", import.meta.url).pathname, {
        minWorkers: workers,
        maxWorkers: workers,
        workerType: "thread"
      }),
    (pool, n) => pool.exec("noop", [n]),
    async (pool) => {
      await pool.terminate()
    },
    tasks,
    shape
  ),
  promisePool(
    "poolifier",
    () =>
      new FixedThreadPool<number, number>(workers, new URL("./workers/poolifier.worker.ts", import.meta.url).pathname),
    (pool, n) => pool.execute(n, "noop"),
    (pool) => pool.destroy(),
    tasks,
    shape
  ),
  effectContender(
    "effect/rpc worker pool",
    rpcLayer,
    BenchClient.use((client) =>
      Effect.forEach(
        Array.from({ length: tasks }, (_, i) => i),
        (n) => client.Noop({ n }),
        { concurrency: shape === "all" ? "unbounded" : shape, discard: true }
      )
    )
  )
]

export const threadRoundTrip = (options: { readonly tasks: number; readonly latencyTasks: number }) => {
  const table = (title: string, tasks: number, shape: Shape): TableSpec => {
    const inputs = Array.from({ length: tasks }, (_, i) => i)
    return {
      title,
      operations: tasks,
      unit: "task",
      baseline: "piscina",
      // One task at a time is the noisiest shape on a shared machine: more rounds for its median.
      ...(shape === 1 ? { rounds: 9 } : {}),
      contenders: [
        promisePool(
          "raw worker_threads (floor)",
          () => rawThreads(workers),
          (pool, n) => pool.call(n),
          (pool) => pool.close(),
          tasks,
          shape
        ),
        effectContender("ours: submit + result", oursLayer(), submitAndWait(noop, inputs, shape)),
        ...(shape === 1
          ? []
          : [
              effectContender(
                "ours: Executor.map",
                oursLayer(),
                Stream.runDrain(Executor.map(noop, inputs, { buffer: shape === "all" ? tasks : shape }))
              ),
              effectContender(
                "ours: Executor.map, chunkSize 256",
                oursLayer(),
                Stream.runDrain(Executor.map(noop, inputs, { chunkSize: 256 }))
              )
            ]),
        effectContender(
          "ours: submit + result, Task.fromFunction",
          oursLayer(),
          submitAndWait(noopFunction, inputs, shape)
        ),
        ...promiseContenders(inputs, shape),
        ...peerContenders(tasks, shape)
      ]
    }
  }
  return [
    table(`${options.tasks.toLocaleString("en-US")} empty tasks, 64 in flight`, options.tasks, 64),
    table(
      `${options.tasks.toLocaleString("en-US")} empty tasks, all submitted at once (deep queue)`,
      options.tasks,
      "all"
    ),
    table(
      `${options.latencyTasks.toLocaleString("en-US")} empty tasks, one at a time (latency)`,
      options.latencyTasks,
      1
    )
  ]
}
