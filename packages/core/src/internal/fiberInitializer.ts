/**
 * `layerFiber`'s `initializer`. A fiber pool's workers share one heap and hold no state of their own, so the
 * initializer runs once for the pool (as it runs once per heap in the node pools: once in each worker), in a
 * fiber of the Layer's scope, started when the Layer is built. Until it ends no task starts: they wait queued
 * (pending, so `cancel` still works). If it fails (or is interrupted), the pool is broken, and every task
 * fails with a `BrokenExecutorError` carrying the initializer's error: a `Task`'s future as a typed failure
 * (`TaskBoundaryError` has room for it), a closure's future (`Executor.submit(effect)`, `map(fn, …)`), whose
 * error type has none, as a defect.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import { BrokenExecutorError } from "../FutureError.ts"
import type * as Task from "../Task.ts"
import { describeCause } from "./describeCause.ts"
import type { FiberPool } from "./fiberPool.ts"
import * as Lifecycle from "./lifecycle.ts"

/**
 * Where the initializer is: a task may start once it is not `Running`.
 * @internal
 */
export type InitializerState =
  | { readonly _tag: "Running" }
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Failed"; readonly error: BrokenExecutorError }

/** @internal */
export interface Gate {
  state: InitializerState
}

const running: InitializerState = { _tag: "Running" }
const ready: InitializerState = { _tag: "Ready" }

/**
 * Starts the initializer of a pool made held (no task starts): when it ends, the pool is released, broken first
 * if the initializer failed.
 * @internal
 */
export const startInitializer = (
  pool: FiberPool,
  initializer: { readonly task: Task.Any; readonly input: unknown }
): Effect.Effect<Gate, never, Scope.Scope> =>
  Effect.suspend(() => {
    const gate: Gate = { state: running }
    const run = Effect.suspend(() => initializer.task.run(initializer.input))
    return Effect.as(
      Effect.forkScoped(
        Effect.onExit(run, (exit) => Effect.sync(() => settle(gate, pool, initializer.task.name, exit)))
      ),
      gate
    )
  })

/** The initializer ended: Running → Ready, or → Failed and the pool's lifecycle Broken; then tasks may start. */
const settle = (gate: Gate, pool: FiberPool, name: string, exit: Exit.Exit<unknown, unknown>): void => {
  if (Exit.isSuccess(exit)) {
    gate.state = ready
  } else {
    const interrupted = Cause.hasInterruptsOnly(exit.cause)
    const cause = interrupted ? undefined : Cause.squash(exit.cause)
    const error = new BrokenExecutorError({
      message: interrupted
        ? `the initializer "${name}" was interrupted`
        : `the initializer "${name}" failed: ${describeCause(cause)}`,
      ...(interrupted ? {} : { cause })
    })
    gate.state = { _tag: "Failed", error }
    Lifecycle.markBroken(pool.lifecycle, error)
  }
  pool.release()
}

/**
 * A task's effect behind the gate: itself once the initializer succeeded; the pool's `BrokenExecutorError` once
 * it failed (as `brokenAs` says: a typed failure, or a defect for closures, whose error type has no room for it); decided when the task starts while it still runs.
 * @internal
 */
export const gated = <A, E>(
  gate: Gate | undefined,
  effect: Effect.Effect<A, E>,
  brokenAs: "failure" | "defect"
): Effect.Effect<A, E | BrokenExecutorError> => {
  if (gate === undefined || gate.state._tag === "Ready") return effect
  const failed = (error: BrokenExecutorError): Effect.Effect<never, BrokenExecutorError> =>
    brokenAs === "defect" ? Exit.die(error) : Exit.fail(error)
  if (gate.state._tag === "Failed") return failed(gate.state.error)
  return Effect.suspend((): Effect.Effect<A, E | BrokenExecutorError> =>
    gate.state._tag === "Failed" ? failed(gate.state.error) : effect
  )
}
