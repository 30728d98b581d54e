/**
 * Lecture 23, Example 23.3: a legacy blocking function called four times from an Effect program. Called
 * directly, each call blocks the one JavaScript thread: ~800 ms, and the ticker fiber cannot tick. Run
 * through a pool of worker threads, the four calls block four other threads at once: ~200 ms in total,
 * and the main fiber keeps ticking.
 *
 * Python:
 *   async def asyncWrapper(executor, value):
 *       return await loop.run_in_executor(executor, legacyBlockingCompute, value)
 *   with ThreadPoolExecutor(max_workers=4) as executor:
 *       results = await asyncio.gather(*(asyncWrapper(executor, v) for v in (10, 20, 30, 40)))
 */
import { Executor } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { Effect, Fiber, Schedule } from "effect"
import { legacyBlockingCompute, legacyBlockingComputeSync } from "./tasks/legacy.tasks.ts"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"

const values = [10, 20, 30, 40]

export const program = Effect.gen(function* () {
  const lines: Array<string> = []
  const print = (line: string) => Effect.sync(() => (lines.push(line), console.log(line)))

  /** Runs `work` while a fiber prints a tick every 50 ms; returns how long it took and how many ticks. */
  const withTicker = <A, E, R>(label: string, work: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const start = performance.now()
      let ticks = 0
      const ticker = yield* Effect.sync(() => {
        ticks++
        console.log(`  tick ${ticks} at ${(performance.now() - start).toFixed(0)} ms`)
      }).pipe(Effect.delay("50 millis"), Effect.repeat(Schedule.forever), Effect.forkChild)
      yield* Effect.yieldNow
      const result = yield* work
      const millis = performance.now() - start
      yield* Fiber.interrupt(ticker)
      yield* print(`${label}: ${JSON.stringify(result)} in ${millis.toFixed(0)} ms, ${ticks} ticks meanwhile`)
      return millis
    })

  yield* print("direct calls on the main thread (each blocks the event loop):")
  yield* withTicker(
    "  direct",
    Effect.sync(() => values.map((value) => legacyBlockingComputeSync(value)))
  )

  yield* print("through layerWorkerThreads({ maxWorkers: 4 }):")
  yield* withTicker(
    "  pool",
    // Python's `await loop.run_in_executor(executor, legacyBlockingCompute, value)`: submit and wait, one call.
    Effect.forEach(values, (value) => Executor.runInExecutor(legacyBlockingCompute, value), {
      concurrency: "unbounded"
    })
  )
  return lines
}).pipe(
  Effect.provide(
    NodeExecutor.layerWorkerThreads({
      module: new URL("./tasks/legacy.tasks.ts", import.meta.url),
      maxWorkers: 4,
      minWorkers: 4
    })
  )
)

if (import.meta.main) {
  console.log("== Lecture 23.3: a blocking function called 4x, directly vs through a worker-thread pool ==")
  // runMain: Ctrl-C interrupts the program (its pools shut down, no worker is left behind), and a failure
  // sets the exit code.
  NodeRuntime.runMain(program)
}
