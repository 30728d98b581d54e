/**
 * The narrow way in of an executor that runs tasks in this process: `Executor.submit(effect)` and
 * `Executor.map(fn, …)` hand it the task and the submitting fiber's services in one synchronous call, instead of
 * going through the service's `submit` Effect (and wrapping each task in `Effect.provideContext`). The
 * `LocalExecutor` service of such an executor carries it under {@link DirectSubmitTypeId}; `Executor.ts` asks for
 * it with {@link directSubmitOf}, never by the executor's class.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { type CancelledError, ExecutorShutdownError } from "../FutureError.ts"
import type { FutureImpl } from "./future.ts"

/** @internal */
export const DirectSubmitTypeId = "~@effect-futures/core/DirectSubmit" as const

/**
 * @internal
 */
export interface DirectSubmit {
  /** Submits a task that will run with `context`; the refusal is returned, not thrown. */
  readonly submitUnsafe: <A, E>(
    effect: Effect.Effect<A, E>,
    context: Context.Context<never>
  ) => FutureImpl<A, E> | ExecutorShutdownError
  /**
   * `Executor.map`'s way in: submits the task `f(input)`. A task that ended before this returns comes back as
   * its `Exit` (a refused submission too), without a future.
   */
  readonly runCallUnsafe: <I, A, E>(
    f: (input: I) => Effect.Effect<A, E>,
    input: I,
    context: Context.Context<never>
  ) => FutureImpl<A, E> | Exit.Exit<A, E | CancelledError | ExecutorShutdownError>
  /** Brings the metrics up to date after a run of `runCallUnsafe` calls. */
  readonly publish: () => void
}

/**
 * The direct way in of a `LocalExecutor` service, if it has one.
 *
 * @internal
 */
export const directSubmitOf = (service: object): DirectSubmit | undefined =>
  (service as { readonly [DirectSubmitTypeId]?: DirectSubmit })[DirectSubmitTypeId]

/**
 * Submits through a direct way in, as an Effect.
 *
 * @internal
 */
export const submitDirect = <A, E>(
  direct: DirectSubmit,
  effect: Effect.Effect<A, E>,
  context: Context.Context<never>
): Effect.Effect<FutureImpl<A, E>, ExecutorShutdownError> => {
  const submitted = direct.submitUnsafe(effect, context)
  return submitted instanceof ExecutorShutdownError ? Effect.fail(submitted) : Effect.succeed(submitted)
}
