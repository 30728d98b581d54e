/**
 * Lecture 23, Example 23.2: tasks that randomly fail. A done callback prints each outcome the moment it
 * is known; `asCompleted` hands the futures over in completion order, and ordinary error handling counts
 * successes and failures. The failures are typed: `TaskFailed` raised in a worker thread arrives here as
 * a `TaskFailed`. The randomness is seeded, so every run is the same.
 *
 * Python:
 *   futures = [executor.submit(riskyTask, i) for i in range(8)]
 *   for f in futures: f.add_done_callback(onComplete)
 *   for future in as_completed(futures):
 *       try: future.result(); successCount += 1
 *       except ValueError as e: failCount += 1; print(f"Handled: {e}")
 */
import { Executor, Future, type FutureError } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { Effect, Exit, Option, Stream } from "effect"
import { riskyTask, type TaskFailed } from "./tasks/risky.tasks.ts"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"

/** mulberry32: a tiny seeded generator, so the "random" failures are the same on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const TASKS = 8

export const program = Effect.gen(function* () {
  const lines: Array<string> = []
  const print = (line: string) => Effect.sync(() => (lines.push(line), console.log(line)))
  const random = seeded(2023)

  const futures: Array<Future.Future<string, TaskFailed | FutureError.TaskBoundaryError>> = []
  for (let taskId = 0; taskId < TASKS; taskId++) {
    const input = { taskId, millis: Math.round(100 + 400 * random()), fails: random() < 0.35 }
    const future = yield* Executor.submit(riskyTask, input)
    // Registered while the task is still running; fires once it is done, success or failure.
    yield* Future.addDoneCallback(future, (done) =>
      Effect.gen(function* () {
        const exit = yield* Future.await(done)
        if (Exit.isSuccess(exit)) return yield* print(`  callback: ${exit.value}`)
        const error = yield* Future.exception(done).pipe(Effect.orDie)
        yield* print(`  callback: failed: ${Option.match(error, { onNone: () => "?", onSome: (e) => e.message })}`)
      })
    )
    futures.push(future)
  }

  let successes = 0
  let failures = 0
  yield* Future.asCompleted(futures).pipe(
    Stream.runForEach((future) =>
      Future.result(future).pipe(
        Effect.flatMap((result) =>
          Effect.sync(() => successes++).pipe(Effect.andThen(print(`as_completed: ok: ${result}`)))
        ),
        Effect.catchTag("TaskFailed", (error) =>
          Effect.sync(() => failures++).pipe(
            Effect.andThen(print(`as_completed: handled ${error._tag}: ${error.message}`))
          )
        ),
        Effect.orDie
      )
    )
  )
  yield* print(`successes: ${successes}, failures: ${failures} (of ${TASKS})`)
  return lines
}).pipe(
  Effect.provide(
    NodeExecutor.layerWorkerThreads({ module: new URL("./tasks/risky.tasks.ts", import.meta.url), maxWorkers: 4 })
  )
)

if (import.meta.main) {
  console.log("== Lecture 23.2: random failures, done callbacks and asCompleted (layerWorkerThreads, maxWorkers: 4) ==")
  // runMain: Ctrl-C interrupts the program (its pools shut down, no worker is left behind), and a failure
  // sets the exit code.
  NodeRuntime.runMain(program)
}
