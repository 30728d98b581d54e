/**
 * A plain function (synchronous or Promise-returning) run as an Effect, for `Task.fromFunction` and
 * `Executor.runInExecutor`: a throw or a rejection becomes `TaskError`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { TaskError } from "../FutureError.ts"

/** @internal */
export const callPlainFunction = <A>(call: () => A): Effect.Effect<Awaited<A>, TaskError> =>
  Effect.suspend(() => {
    let value: A
    try {
      value = call()
    } catch (thrown) {
      return Effect.fail(TaskError.fromThrown(thrown))
    }
    return isPromiseLike(value)
      ? Effect.tryPromise({ try: () => value as PromiseLike<Awaited<A>>, catch: TaskError.fromThrown })
      : Effect.succeed(value as Awaited<A>)
  })

const isPromiseLike = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as { then?: unknown }).then === "function"
