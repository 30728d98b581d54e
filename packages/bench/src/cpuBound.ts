/**
 * Comparison 3, CPU-bound: the seed's prime-counting workloads (Example 23.1), four and eight of them,
 * sequential on the main thread against ours on 2 worker threads and on 2 child processes and against
 * piscina; Python's ProcessPoolExecutor(2) against Python run sequentially. On 2 cores the limit is 2.0x.
 */
import { Executor, Future } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { Effect } from "effect"
import { Piscina } from "piscina"
import { effectContender, plainContender, type TableSpec } from "./harness.ts"
import { pythonContender } from "./python.ts"
import { tasksModule } from "./threadRoundTrip.ts"
import { countPrimesBelow } from "./workers/primes.ts"
import { rawThreads } from "./workers/rawThreads.ts"
import { countPrimes } from "./workers/tasks.ts"

const workers = 2

export interface CpuBoundOptions {
  readonly counts: ReadonlyArray<number>
  /** The limit of each Node workload. */
  readonly limit: number
  /** The limit of each Python workload (CPython is ~50x slower at this loop). */
  readonly pythonLimit: number
}

const submitAll = (limits: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const futures = yield* Effect.forEach(limits, (limit) => Executor.submit(countPrimes, limit))
    yield* Effect.forEach(futures, (future) => Future.result(future), { discard: true })
  })

export const cpuBound = (options: CpuBoundOptions): ReadonlyArray<TableSpec> => [
  ...options.counts.map((count): TableSpec => {
    const limits = Array.from({ length: count }, () => options.limit)
    return {
      title: `${count} workloads, primes below ${options.limit.toLocaleString("en-US")}, Node`,
      operations: count,
      unit: "workload",
      baseline: "sequential",
      contenders: [
        plainContender("sequential", async () => {
          for (const limit of limits) countPrimesBelow(limit)
        }),
        {
          // What 2 threads can reach on this machine right now: the ceiling of every pool.
          name: "raw worker_threads (floor)",
          start: async () => {
            const pool = await rawThreads(workers, new URL("./workers/rawPrimes.worker.ts", import.meta.url))
            return {
              round: async () => {
                await Promise.all(limits.map((limit) => pool.call(limit)))
              },
              close: () => pool.close()
            }
          }
        },
        effectContender(
          "ours: layerWorkerThreads",
          NodeExecutor.layerWorkerThreads({ module: tasksModule, maxWorkers: workers, minWorkers: workers }),
          submitAll(limits)
        ),
        effectContender(
          "ours: layerChildProcesses",
          NodeExecutor.layerChildProcesses({ module: tasksModule, maxWorkers: workers, minWorkers: workers }),
          submitAll(limits)
        ),
        {
          name: "piscina",
          start: async () => {
            const pool = new Piscina({
              filename: new URL("./workers/pool.worker.ts", import.meta.url).href,
              minThreads: workers,
              maxThreads: workers
            })
            await Promise.all([pool.run(10, { name: "countPrimes" }), pool.run(10, { name: "countPrimes" })])
            return {
              round: async () => {
                await Promise.all(limits.map((limit) => pool.run(limit, { name: "countPrimes" })))
              },
              close: () => pool.destroy()
            }
          }
        }
      ]
    }
  }),
  ...options.counts.map((count): TableSpec => {
    const limits = Array.from({ length: count }, () => options.pythonLimit)
    return {
      title: `${count} workloads, primes below ${options.pythonLimit.toLocaleString("en-US")}, Python`,
      operations: count,
      unit: "workload",
      baseline: "Python sequential",
      contenders: [
        pythonContender("Python sequential", workers, { op: "primes_sequential", limits }),
        pythonContender("Python ProcessPoolExecutor(2)", workers, { op: "primes_pool", limits })
      ]
    }
  })
]
