/**
 * The six comparisons of the benchmark, with their sizes for a full run and for the smoke run, and the
 * findings each one computes from its tables (ratios against the targets of issue 4).
 */
import { combinatorScaling, scalingSummary } from "./combinatorScaling.ts"
import type { Table, TableSpec } from "./harness.ts"
import { inProcess } from "./inProcess.ts"
import { threadRoundTrip } from "./threadRoundTrip.ts"

export interface Comparison {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly notices: ReadonlyArray<string>
  readonly tables: ReadonlyArray<TableSpec>
  readonly summarize: (tables: ReadonlyArray<Table>) => ReadonlyArray<string>
}

const find = (table: Table | undefined, name: string) => table?.rows.find((row) => row.name === name)

/** "A is 1.23x B's speed" with the word that says who wins. */
export const versus = (table: Table | undefined, ours: string, theirs: string, target?: number): string => {
  const a = find(table, ours)
  const b = find(table, theirs)
  if (a === undefined || b === undefined || a.skipped !== undefined || b.skipped !== undefined) {
    return `${ours} vs ${theirs}: not measured`
  }
  const speed = b.median / a.median
  const verdict = speed >= 1 ? `${speed.toFixed(2)}x as fast` : `${(1 / speed).toFixed(2)}x slower`
  const goal =
    target === undefined
      ? ""
      : ` (target: ${target >= 1 ? `≥ ${target}x as fast` : `at most ${(1 / target).toFixed(1)}x slower`}, ${speed >= target ? "met" : "missed"})`
  return `${ours} vs ${theirs}: ${verdict}${goal}`
}

export const comparisons = (smoke: boolean): ReadonlyArray<Comparison> => [
  {
    id: "threads",
    title: "1. Empty-task round trip, 2 worker threads",
    description:
      'An empty task (the input number back) on a pool of 2 worker threads. Ours: `NodeExecutor.layerWorkerThreads` with a `Task.make` task (Schema.Number both ways), through `Executor.submit` + `Future.result` (one fiber per in-flight task) and `Executor.map` (`buffer` = the in-flight count), and with a `Task.fromFunction` task (structured clone, no schema). Peers: piscina, tinypool, workerpool (`workerType: "thread"`), poolifier (`FixedThreadPool`), effect/rpc (`RpcClient.layerProtocolWorker({ size: 2, concurrency: 1 })`), and a bare worker_threads echo driven by promises (the floor). Every pool has its 2 workers started before the first round.',
    notices: [],
    tables: threadRoundTrip(smoke ? { tasks: 2_000, latencyTasks: 200 } : { tasks: 50_000, latencyTasks: 5_000 }),
    summarize: (tables) => [
      versus(tables[0], "ours: submit + result", "piscina"),
      versus(tables[0], "ours: Executor.map", "piscina"),
      versus(tables[1], "ours: submit + result", "piscina", 1.5),
      versus(tables[1], "ours: Executor.map", "piscina", 1.5),
      versus(tables[2], "ours: submit + result", "piscina", 1),
      versus(tables[0], "ours: submit + result", "effect/rpc worker pool"),
      versus(tables[0], "ours: submit + result", "raw worker_threads (floor)")
    ]
  },
  {
    id: "in-process",
    title: "4. In-process: tiny Effects",
    description:
      "Tiny Effects (`Effect.succeed(n + 1)`) through `Executor.layerFiber({ maxWorkers: 16 })`: every one submitted, then every result awaited (Python's way), and through `Executor.map`; against `Effect.forEach` with the same concurrency, and p-limit / p-map running `async (n) => n + 1`.",
    notices: [],
    tables: inProcess({ tasks: smoke ? 5_000 : 100_000, concurrency: 16 }),
    summarize: (tables) => [
      versus(tables[0], "ours: layerFiber submit + result", "Effect.forEach", 1 / 1.5),
      versus(tables[0], "ours: layerFiber Executor.map", "Effect.forEach", 1 / 1.5),
      versus(tables[0], "ours: layerFiber submit + result", "p-limit", 1),
      versus(tables[0], "ours: layerFiber Executor.map", "p-map")
    ]
  },
  {
    id: "combinators",
    title: "5. Scaling of asCompleted and wait",
    description:
      '`Future.asCompleted` (drained) and `Future.wait` (ALL_COMPLETED) over pending futures that are then completed in order; time from the start of the combinator until it has seen every future (the heap measurement excluded), and the heap held while waiting (`heapUsed` after a forced GC, minus before). The reference waits on as many `Deferred`s with `Effect.forEach({ concurrency: "unbounded" })`.',
    notices: (globalThis as { gc?: unknown }).gc === undefined ? ["heap not measured: run with --expose-gc"] : [],
    tables: combinatorScaling(smoke ? [100, 1_000] : [1_000, 10_000, 100_000]),
    summarize: scalingSummary
  }
]
