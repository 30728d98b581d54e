/**
 * The seven comparisons of the benchmark, with their sizes for a full run and for the smoke run, and the
 * findings each one computes from its tables (ratios against the targets of issue 4).
 */
import { combinatorScaling, scalingSummary } from "./combinatorScaling.ts"
import type { Table, TableSpec } from "./harness.ts"
import { cpuBound } from "./cpuBound.ts"
import { inProcess } from "./inProcess.ts"
import { payloadSize } from "./payloadSize.ts"
import { processRoundTrip } from "./processRoundTrip.ts"
import { pythonMissing } from "./python.ts"
import { startUp, type Source } from "./startUp.ts"
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
  return `${table?.title ?? ""}: ${ours} vs ${theirs}: ${verdict}${goal}`
}

export const comparisons = (smoke: boolean, options: { readonly startUpFrom: Source }): ReadonlyArray<Comparison> => [
  {
    id: "threads",
    title: "1. Empty-task round trip, 2 worker threads",
    description:
      'An empty task (the input number back) on a pool of 2 worker threads. Ours: `NodeExecutor.layerWorkerThreads` with a `Task.make` task (Schema.Number both ways), through `Executor.submit` + `Future.result` (one fiber per in-flight task) and `Executor.map` (`buffer` = the in-flight count; and with `chunkSize: 256`, 256 inputs per unit of work), and with a `Task.fromFunction` task (structured clone, no schema). The Promise API (`@effect-futures/promise`: a `ThreadPoolExecutor` over the same Layer, driven as code without Effect drives it): `executor.submit(task, n).result()` per task, and `for await` over `executor.map`. Peers: piscina, tinypool, workerpool (`workerType: "thread"`), poolifier (`FixedThreadPool`), effect/rpc (`RpcClient.layerProtocolWorker({ size: 2, concurrency: 1 })`), and a bare worker_threads echo driven by promises (the floor). Every pool has its 2 workers started before the first round.',
    notices: [],
    tables: threadRoundTrip(smoke ? { tasks: 2_000, latencyTasks: 200 } : { tasks: 50_000, latencyTasks: 5_000 }),
    summarize: (tables) => [
      versus(tables[0], "ours: submit + result", "piscina"),
      versus(tables[0], "ours: Executor.map", "piscina"),
      versus(tables[1], "ours: submit + result", "piscina", 1.5),
      versus(tables[1], "ours: Executor.map", "piscina", 1.5),
      versus(tables[1], "ours: Executor.map, chunkSize 256", "piscina"),
      versus(tables[2], "ours: submit + result", "piscina", 1),
      versus(tables[0], "promise API: submit + result", "piscina", 2),
      versus(tables[0], "promise API: map", "piscina", 2),
      versus(tables[1], "promise API: submit + result", "piscina", 2),
      versus(tables[1], "promise API: map", "piscina", 2),
      versus(tables[2], "promise API: submit + result", "piscina"),
      versus(tables[0], "promise API: submit + result", "ours: submit + result"),
      versus(tables[0], "ours: submit + result", "effect/rpc worker pool"),
      versus(tables[0], "ours: submit + result", "raw worker_threads (floor)")
    ]
  },
  {
    id: "processes",
    title: "2. Empty-task round trip, 2 child processes",
    description:
      'The same empty task on a pool of 2 child processes. Ours: `NodeExecutor.layerChildProcesses` (advanced serialization). Peers: workerpool (`workerType: "process"`), tinypool (`runtime: "child_process"`), bare `child_process.fork` echo children with `serialization: "json"` and `"advanced"` (the floor), and Python\'s `ProcessPoolExecutor(2)` (python/pool_server.py: a sliding window of 64 futures; every task submitted then every result; `map(chunksize=256)`).',
    notices: pythonMissing === undefined ? [] : [`Python contenders skipped: ${pythonMissing}`],
    tables: processRoundTrip({ tasks: smoke ? 1_000 : 50_000 }),
    summarize: (tables) => [
      versus(tables[0], "ours: submit + result", "Python submit + result", 5),
      versus(tables[1], "ours: submit + result", "Python submit + result", 5),
      versus(tables[1], "ours: Executor.map, buffer 1024", "Python map(chunksize=256)"),
      versus(tables[1], "ours: Executor.map, chunkSize 256", "Python map(chunksize=256)", 1),
      versus(tables[0], "ours: submit + result", "workerpool (process)"),
      versus(tables[0], "ours: submit + result", "raw process.send, advanced (floor)")
    ]
  },
  {
    id: "cpu",
    title: "3. CPU-bound: prime counting",
    description:
      "The seed's workload (Example 23.1): count the primes below a limit by trial division, four and eight times. Node: sequential on the main thread, ours on 2 worker threads and on 2 child processes (every workload submitted, then every result awaited), piscina with 2 threads, and 2 bare worker threads that count primes (the ceiling any pool can reach on this machine at that moment). Python: the same loop sequentially and on `ProcessPoolExecutor(2)`, with a smaller limit (CPython is ~50x slower at it), so compare speedups, not times. On 2 cores the limit is 2.0x.",
    notices: pythonMissing === undefined ? [] : [`Python contenders skipped: ${pythonMissing}`],
    tables: cpuBound(
      smoke
        ? { counts: [4], limit: 100_000, pythonLimit: 10_000 }
        : { counts: [4, 8], limit: 2_000_000, pythonLimit: 250_000 }
    ),
    summarize: (tables) =>
      tables.flatMap((table) =>
        table.rows
          .filter((row) => row.name !== table.baseline && row.skipped === undefined)
          .map(
            (row) =>
              `${table.title}: ${row.name} speedup ${row.speed.toFixed(2)}x over ${table.baseline}${row.name.startsWith("ours") ? ` (target ≥ 1.85x: ${row.speed >= 1.85 ? "met" : "missed"})` : ""}`
          )
      )
  },
  {
    id: "in-process",
    title: "4. In-process: tiny Effects",
    description:
      "Tiny Effects through `Executor.layerFiber({ maxWorkers: 16 })`, in two shapes, each in tables of its own. `Executor.map` against `Effect.forEach` with the same concurrency (and p-map, and `Executor.map` with `chunkSize: 256`, which runs a chunk's elements one by one in one fiber); and Python's way, every task submitted and then every result awaited, against p-limit. Two kinds of tiny Effect: `Effect.succeed(n + 1)` is already its value (an `Exit`), which `Effect.forEach` and the pool both complete without forking a fiber; `Effect.sync(() => n + 1)` runs code, so both fork a fiber per task (p-limit and p-map run `async (n) => n + 1`). Submitting everything and then awaiting everything is two passes with an object per task whatever runs them: the baseline of those tables is that shape with no pool (each element boxed, then unboxed and run in place). The shapes are measured apart because one that keeps 100,000 objects alive leaves garbage that the next round pays for: mixed in one table, `Executor.map` measured 1.1x-1.7x `Effect.forEach` from run to run.",
    notices: [],
    tables: inProcess({ tasks: smoke ? 5_000 : 100_000, concurrency: 16 }),
    summarize: (tables) => [
      versus(tables[0], "ours: layerFiber Executor.map", "Effect.forEach", 1 / 1.5),
      versus(tables[1], "ours: layerFiber Executor.map", "Effect.forEach", 1 / 1.5),
      versus(tables[1], "ours: layerFiber Executor.map", "p-map", 1),
      versus(tables[1], "ours: layerFiber Executor.map, chunkSize 256", "Effect.forEach"),
      versus(
        tables[2],
        "ours: layerFiber submit + result",
        "two Effect.forEach passes, no pool (floor of submit + result)"
      ),
      versus(
        tables[3],
        "ours: layerFiber submit + result",
        "two Effect.forEach passes, no pool (floor of submit + result)"
      ),
      versus(tables[3], "ours: layerFiber submit + result", "p-limit", 1)
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
  },
  {
    id: "payload",
    title: "6. Payload size: copy vs transfer",
    description:
      "An `ArrayBuffer` to a worker thread and back, one round trip at a time, copied (structured clone both ways) or transferred (moved both ways). Ours: `Task.fromFunction` echo tasks on `layerWorkerThreads({ maxWorkers: 1 })`, the input moved with `Executor.submit(task, input, { transfer: [buffer] })` (checked: the sender's buffer is detached) and the output with `NodeExecutor.transfer`. The floor: a bare worker_threads echo.",
    notices: [],
    tables: payloadSize({
      sizes: smoke
        ? [
            { label: "1 KB", bytes: 1024, roundTrips: 50 },
            { label: "1 MB", bytes: 2 ** 20, roundTrips: 5 },
            { label: "16 MB", bytes: 16 * 2 ** 20, roundTrips: 2 }
          ]
        : [
            { label: "1 KB", bytes: 1024, roundTrips: 2_000 },
            { label: "1 MB", bytes: 2 ** 20, roundTrips: 200 },
            { label: "16 MB", bytes: 16 * 2 ** 20, roundTrips: 20 }
          ]
    }),
    summarize: (tables) =>
      tables.flatMap((table) => [
        versus(table, "ours: copy", "raw worker_threads, copy"),
        versus(table, "ours: transfer", "raw worker_threads, transfer"),
        versus(table, "ours: transfer", "ours: copy")
      ])
  },
  {
    id: "start-up",
    title: "7. Start-up: from nothing to the first results",
    description: `A program that starts a pool of 4 workers and runs 4 empty tasks on it, in a fresh process each round: the time from the process's spawn to its results (Node's own start and loading the library included), and the pool's alone, from its creation to the results. Ours: \`layerWorkerThreads\` and \`layerChildProcesses\` with \`minWorkers: 4\` over a \`Task.make\` task module in plain JavaScript that imports effect and ours module by module (\`effect/Effect\`, \`effect/Schema\`, \`@effect-futures/core/Task\`), as the program does, ${options.startUpFrom === "installed" ? "from the installed packages (built, packed and installed with npm into a project outside the workspace)" : "from the workspace's sources (TypeScript, stripped by Node)"}; again with the program and the task module importing both through their indexes (\`import { Effect, Schema } from "effect"\`, as most examples do), and with Node's compile cache off (a first run on a machine). Peers: piscina, tinypool and workerpool (threads and processes) with a plain JavaScript worker file, and Python's \`ProcessPoolExecutor(4)\` with its default start method (\`fork\` on Linux before Python 3.14: its workers start as copies of the parent, with everything already loaded).`,
    notices: pythonMissing === undefined ? [] : [`Python contender skipped: ${pythonMissing}`],
    tables: startUp({ source: options.startUpFrom }),
    summarize: (tables) =>
      tables.flatMap((table) =>
        table.rows
          .filter((row) => row.name.startsWith("ours") && row.skipped === undefined)
          .map((row) => versus(table, row.name, "piscina", row.name.includes(",") ? undefined : 1 / 1.5))
      )
  }
]
