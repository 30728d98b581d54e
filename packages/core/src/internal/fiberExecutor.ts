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
import { type Gate, gated } from "./fiberInitializer.ts"
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

/**
 * With an initializer, every task goes behind its gate: see `fiberInitializer.ts`.
 * @internal
 */
export const fiberExecutor = (pool: FiberPool, gate?: Gate): ExecutorShape => ({
  maxWorkers: pool.maxWorkers,
  submitTask: (task, input, options) =>
    submitNamed(
      pool,
      task.name,
      gated(
        gate,
        Effect.suspend(() => task.run(input)),
        "failure"
      ),
      options
    ) as any,
  // One task that runs the chunk's inputs in order, in one fiber (the chunk rule).
  submitChunk: (task, inputs) =>
    submitNamed(pool, task.name, gated(gate, runChunk(task.run, inputs), "failure"), undefined) as any,
  shutdown: (options) => Lifecycle.shutdown(pool.lifecycle, options),
  stats: Effect.sync(() => pool.stats.snapshot()),
  whenShutdown: Lifecycle.whenShutdown(pool.lifecycle)
})

/**
 * The direct way in skips the gate, so a pool with an initializer offers it only once the initializer succeeded;
 * until then closures go through `submit`.
 * @internal
 */
export const fiberLocalExecutor = (
  pool: FiberPool,
  gate?: Gate
): LocalExecutorShape & { readonly [DirectSubmitTypeId]: DirectSubmit | undefined } =>
  gate === undefined
    ? { submit: (effect) => pool.submit(effect), [DirectSubmitTypeId]: pool }
    : {
        submit: (effect) => pool.submit(gated(gate, effect, "defect")) as any,
        get [DirectSubmitTypeId]() {
          return gate.state._tag === "Ready" ? pool : undefined
        }
      }
