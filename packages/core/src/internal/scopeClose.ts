/**
 * How an executor's scope closes, for every executor (the fiber pool and the Node pools): the rule lives here
 * once, and each executor gives the two ways its tasks can end.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * The two ways an executor's tasks end when its scope closes.
 *
 * @internal
 */
export interface Closing {
  /** `shutdown({ wait: true })`: no more submits, then wait until every task has ended. */
  readonly drain: Effect.Effect<void>
  /**
   * No more submits; cancel the queued tasks, interrupt the running ones (a worker pool kills a worker whose
   * task outlives its grace period), and wait until all have ended. It runs uninterruptibly, so it must end
   * on its own.
   */
  readonly stop: Effect.Effect<void>
}

/**
 * Closes an executor's scope. A scope that ends with a failure or an interruption stops the tasks. One that
 * ends normally drains them, as Python does, but only until an interruption reaches the closing fiber or
 * `shutdownTimeout` elapses: then it stops them instead, and returns.
 *
 * A finalizer is uninterruptible, so an interruption of the closing fiber (`Effect.timeout` around the program,
 * SIGINT through `NodeRuntime.runMain`) is held until the finalizer ends; a drain that waits for a task that
 * never ends would hold it for ever. The drain alone is made interruptible: the held interruption ends it at
 * once, and the fiber stays interrupted, so it goes on with its interruption once the scope is closed.
 *
 * @internal
 */
export const closeExecutor = (
  exit: Exit.Exit<unknown, unknown>,
  closing: Closing,
  shutdownTimeout: Duration.Duration | undefined
): Effect.Effect<void> => {
  if (Exit.isFailure(exit)) return Effect.uninterruptible(closing.stop)
  const drained: Effect.Effect<boolean> =
    shutdownTimeout === undefined || !Duration.isFinite(shutdownTimeout)
      ? Effect.as(closing.drain, true)
      : Effect.timeoutOrElse(Effect.as(closing.drain, true), {
          duration: shutdownTimeout,
          orElse: () => Effect.succeed(false)
        })
  return Effect.uninterruptible(
    Effect.flatMap(Effect.exit(Effect.interruptible(drained)), (drainExit) => {
      if (Exit.isSuccess(drainExit)) return drainExit.value ? Effect.void : closing.stop
      // Interrupted: escalate. Anything else (a defect of the drain) still stops the tasks, then is raised.
      return Cause.hasInterruptsOnly(drainExit.cause)
        ? closing.stop
        : Effect.andThen(closing.stop, Effect.failCause(drainExit.cause))
    })
  )
}
