/**
 * Lecture 23, Example 23.1: four identical CPU-bound workloads, counted sequentially, then on a pool of
 * worker threads, then on a pool of child processes. The program does not change between the last two:
 * only the Layer does.
 *
 * Python:
 *   workloads = [LIMIT] * 4
 *   sequential = [computePrimeCount(w) for w in workloads]
 *   if __name__ == "__main__":
 *       with ProcessPoolExecutor(max_workers=4) as executor:
 *           results = list(executor.map(computePrimeCount, workloads))
 */
import { Executor, Future } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { Effect, Layer, Stream } from "effect"
import { availableParallelism } from "node:os"
import { countPrimes, countPrimesBelow } from "./tasks/primes.tasks.ts"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"

const LIMIT = 3_500_000
const workloads = [LIMIT, LIMIT, LIMIT, LIMIT]
const module = new URL("./tasks/primes.tasks.ts", import.meta.url)

/** The same program for every executor: map the task over the workloads, in submission order. */
const countAll = Executor.map(countPrimes, workloads).pipe(Stream.runCollect)

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const start = performance.now()
    const value = yield* effect
    return { value, millis: performance.now() - start }
  })

/**
 * Starts the pool and runs the workloads once: the Layer is ready as soon as a first worker is, and the others
 * load while it serves, so that first pass also pays for their loading. The timed pass is the work alone, as
 * Python's would be after warm-up.
 */
const onPool = <E>(layer: Layer.Layer<Executor.Executor, E>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const started = performance.now()
      const context = yield* Layer.build(layer)
      const startup = performance.now() - started
      const first = yield* timed(Effect.provideContext(countAll, context))
      const run = yield* timed(Effect.provideContext(countAll, context))
      // Errors cross the boundary typed: a PrimeLimitError from a worker is a PrimeLimitError here.
      const future = yield* Effect.provideContext(Executor.submit(countPrimes, -1), context)
      const error = yield* Effect.flip(Future.result(future))
      return { ...run, startup, first: first.millis, error }
    })
  )

export const program = Effect.gen(function* () {
  const lines: Array<string> = []
  const print = (line: string) => Effect.sync(() => (lines.push(line), console.log(line)))
  yield* print(`4 workloads: primes below ${LIMIT.toLocaleString("en")}, on ${availableParallelism()} cores`)

  const sequential = yield* timed(Effect.sync(() => workloads.map(countPrimesBelow)))
  yield* print(`sequential (main thread):   ${sequential.millis.toFixed(0).padStart(5)} ms  ${sequential.value}`)

  const options = { module, maxWorkers: 4, minWorkers: 4 }
  const threads = yield* onPool(NodeExecutor.layerWorkerThreads(options))
  yield* print(
    `layerWorkerThreads(4):      ${threads.millis.toFixed(0).padStart(5)} ms  ${Array.from(threads.value)}  ` +
      `speedup ${(sequential.millis / threads.millis).toFixed(2)}x  ` +
      `(pool start-up ${threads.startup.toFixed(0)} ms, first pass ${threads.first.toFixed(0)} ms)`
  )
  const processes = yield* onPool(NodeExecutor.layerChildProcesses(options))
  yield* print(
    `layerChildProcesses(4):     ${processes.millis.toFixed(0).padStart(5)} ms  ${Array.from(processes.value)}  ` +
      `speedup ${(sequential.millis / processes.millis).toFixed(2)}x  ` +
      `(pool start-up ${processes.startup.toFixed(0)} ms, first pass ${processes.first.toFixed(0)} ms)`
  )

  const error = processes.error
  yield* print(
    `a negative workload fails in the worker with ${error._tag}` +
      (error._tag === "PrimeLimitError" ? ` (limit ${error.limit}), an instance of the class here too` : "")
  )
  return lines
})

if (import.meta.main) {
  console.log("== Lecture 23.1: four CPU-bound workloads, sequential vs worker threads vs child processes ==")
  // runMain: Ctrl-C interrupts the program (its pools shut down, no worker is left behind), and a failure
  // sets the exit code.
  NodeRuntime.runMain(program)
}
