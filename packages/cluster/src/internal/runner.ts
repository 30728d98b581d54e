/**
 * The runner side: the entity's handlers, which run each request's task on the runner's local executor (a
 * worker pool by default) and answer with its result as data.
 *
 * A runner never runs a task on its own event loop: a CPU-bound task there would stop the runner from
 * refreshing its shard locks, the locks would expire, and the task would move from runner to runner for ever.
 *
 * @internal
 */
import { type Executor, Future, type Task } from "@effect-futures/core"
import {
  BrokenExecutorError,
  ExecutorShutdownError,
  TaskDecodeError,
  TaskEncodeError
} from "@effect-futures/core/FutureError"
import { TaskModuleError } from "@effect-futures/node/NodeExecutor"
import { loadTasks, moduleHref, unknownTaskHint } from "@effect-futures/node/internal/taskModule"
import * as Effect from "effect/Effect"
import { boundaryResult, codecOf, encodeExit } from "./resultCodec.ts"
import type { RunPayload, RunResult } from "./taskEntity.ts"

/** Imports the task module and indexes its tasks by name: the only tasks this runner can run. */
export const loadRunnerTasks = (
  module: URL | string
): Effect.Effect<ReadonlyMap<string, Task.Any>, TaskModuleError> => {
  const href = moduleHref(module)
  return loadTasks(href, 60_000, (message, cause) => new TaskModuleError({ module: href, message, cause }))
}

/**
 * Runs one request's task on the local executor and answers with its result. Interrupting the handler (the
 * client interrupted the future) interrupts the local task and waits until it has ended.
 */
export const runRequest = (
  tasks: ReadonlyMap<string, Task.Any>,
  module: string,
  executor: Executor.ExecutorShape,
  request: RunPayload
): Effect.Effect<RunResult> => {
  const task = tasks.get(request.task)
  if (task === undefined) {
    return Effect.succeed(
      boundaryResult(
        new TaskEncodeError({
          task: request.task,
          message:
            `no runner serves a task named "${request.task}": the runners' task module ${module} does not export it` +
            unknownTaskHint(request.task, tasks.keys())
        })
      )
    )
  }
  const codec = codecOf(task)
  const decoded = codec.decodeInput(request.input)
  if (!decoded.ok) {
    return Effect.succeed(boundaryResult(new TaskDecodeError({ task: task.name, message: decoded.message })))
  }
  return Effect.uninterruptibleMask((restore) =>
    executor.submitTask(task, decoded.value).pipe(
      // The local executor closes after the entity stops taking requests; a request that still meets it shut
      // down is answered as a broken runner rather than as the task's own failure.
      Effect.mapError((error) =>
        error instanceof ExecutorShutdownError
          ? new BrokenExecutorError({ message: `the runner's executor has shut down: ${error.message}` })
          : error
      ),
      Effect.flatMap((future) =>
        restore(Future.await(future)).pipe(Effect.onInterrupt(() => Future.interrupt(future)))
      ),
      Effect.exit,
      Effect.map((exit) => encodeExit(task, codec, exit._tag === "Success" ? exit.value : exit))
    )
  )
}
