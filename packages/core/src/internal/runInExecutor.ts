/**
 * `Executor.runInExecutor`: submit and wait in one step, the call never outliving the fiber that waits for it.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { Future } from "../Future.ts"
import type { CancelledError } from "../FutureError.ts"
import { awaitExit, type FutureImpl, interrupt } from "./future.ts"

/**
 * The submitted call's result. An interruption of the wait cancels the call, or interrupts it if it runs, before
 * it goes on. Submitting stays interruptible (a pool with `maxQueue` may wait for room): a submit hands its future
 * back in the same synchronous step that makes it, so none is lost between submit and wait.
 *
 * @internal
 */
export const awaitSubmitted = <A, E, E2, R>(
  submitted: Effect.Effect<Future<A, E>, E2, R>
): Effect.Effect<A, E | E2 | CancelledError, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(restore(submitted), (future) => {
      const impl = future as unknown as FutureImpl<A, E>
      return Effect.onInterrupt(restore(Effect.flatten(awaitExit(impl))), () => interrupt(impl))
    })
  )
