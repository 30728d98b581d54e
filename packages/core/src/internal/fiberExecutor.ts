/**
 * The fiber pool as the services `layerFiber` provides: `Executor` (tasks, chunks, shutdown, stats) and
 * `LocalExecutor` (any Effect), the latter carrying the pool's {@link DirectSubmit}.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { ExecutorShape, LocalExecutorShape } from "../Executor.ts"
import { ExecutorShutdownError } from "../FutureError.ts"
import { runChunk } from "./chunk.ts"
import { type DirectSubmit, DirectSubmitTypeId } from "./directSubmit.ts"
import type { FiberPool } from "./fiberPool.ts"
import type { FutureImpl } from "./future.ts"
import * as Lifecycle from "./lifecycle.ts"
import type { AttemptOptions } from "./taskControl.ts"

/** Submits a task's Effect under the task's name (its span's), with the submitting fiber's services. */
const submitNamed = <A, E>(
  pool: FiberPool,
  taskName: string,
  effect: Effect.Effect<A, E>,
  options: AttemptOptions | undefined
): Effect.Effect<FutureImpl<A, E>, ExecutorShutdownError> =>
  Effect.withFiber((fiber) => {
    const submitted = pool.submitTaskUnsafe(taskName, effect, fiber.context, options)
    return submitted instanceof ExecutorShutdownError ? Effect.fail(submitted) : Effect.succeed(submitted)
  })

/** @internal */
export const fiberExecutor = (pool: FiberPool): ExecutorShape => ({
  maxWorkers: pool.maxWorkers,
  submitTask: (task, input, options) =>
    submitNamed(
      pool,
      task.name,
      Effect.suspend(() => task.run(input)),
      options
    ) as any,
  // One task that runs the chunk's inputs in order, in one fiber (the chunk rule).
  submitChunk: (task, inputs) => submitNamed(pool, task.name, runChunk(task.run, inputs), undefined) as any,
  shutdown: (options) => Lifecycle.shutdown(pool.lifecycle, options),
  stats: Effect.sync(() => pool.stats.snapshot()),
  whenShutdown: Lifecycle.whenShutdown(pool.lifecycle)
})

/** @internal */
export const fiberLocalExecutor = (
  pool: FiberPool
): LocalExecutorShape & { readonly [DirectSubmitTypeId]: DirectSubmit } => ({
  submit: (effect) => pool.submit(effect),
  [DirectSubmitTypeId]: pool
})
