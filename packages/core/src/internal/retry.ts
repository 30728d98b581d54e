/**
 * `SubmitOptions.retry`: a task submitted again when an attempt fails, by any executor. The caller holds one
 * future for all attempts, a {@link RetryFuture}: pending until the first attempt starts, then `running` until
 * the last one ends, and it ends as that one did. Each attempt is an ordinary submit (a fresh run, with the
 * submit's timeout, id and a span of its own), made by a fiber of the submitter's that waits between attempts
 * on the policy's schedule (so a `TestClock` drives it).
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import { BrokenExecutorError, type ExecutorShutdownError, type TaskEncodeError } from "../FutureError.ts"
import type * as Task from "../Task.ts"
import { awaitExit, finishUnsafe, FutureImpl, interrupt, runCallbacks, setRunningUnsafe } from "./future.ts"
import { type AttemptOptions, AttemptStarted } from "./taskControl.ts"

/**
 * Effect's retry policy, as `Effect.retry` takes it: a `Schedule`, or options. Without `while` / `until`, only
 * `BrokenExecutorError` (a crashed worker) is retried.
 * @internal
 */
export type Policy<E> =
  | Schedule.Schedule<unknown, E>
  | {
      readonly times?: number | undefined
      readonly schedule?: Schedule.Schedule<unknown, E> | undefined
      readonly while?: ((error: E) => boolean) | undefined
      readonly until?: ((error: E) => boolean) | undefined
    }

/** What an executor's `submitTask` is, for the attempts. */
type SubmitTask = <I, A, E>(
  task: Task.Task<I, A, E>,
  input: I,
  options?: AttemptOptions
) => Effect.Effect<FutureImpl<A, any>, ExecutorShutdownError | TaskEncodeError>

const isBroken = (error: unknown): boolean => error instanceof BrokenExecutorError

/**
 * The policy as `Effect.retry`'s options, with the default predicate (only `BrokenExecutorError`).
 * @internal
 */
export const retryOptions = <E>(policy: Policy<E>) =>
  Schedule.isSchedule(policy)
    ? { schedule: policy, while: isBroken }
    : policy.while === undefined && policy.until === undefined
      ? { ...policy, while: isBroken }
      : policy

/**
 * The one future of a retried task. Between attempts no task runs: `cancel` then stops it as it stops a pending
 * future (the one place a `running` future can be cancelled), and `interrupt` stops the attempt that runs.
 * @internal
 */
export class RetryFuture<A, E> extends FutureImpl<A, E> {
  /** The fiber that submits the attempts and waits between them. */
  loop: Fiber.Fiber<unknown, unknown> | undefined = undefined
  /** No attempt runs: it waits for the next one. */
  betweenAttempts = false

  override stopTask(): Effect.Effect<void> | undefined {
    return this.loop === undefined ? undefined : Fiber.interrupt(this.loop)
  }

  override cancelsWhileRunning(): boolean {
    return this.betweenAttempts
  }
}

/**
 * Submits the first attempt now (so a refused submit fails as any submit does) and returns the retried future;
 * a fiber of the submitter's goes on with the attempts.
 * @internal
 */
export const submitRetrying = <I, A, E>(
  submitTask: SubmitTask,
  task: Task.Task<I, A, E>,
  input: I,
  options: AttemptOptions,
  policy: Policy<E>,
  context: Context.Context<never>,
  whenShutdown: Effect.Effect<void> | undefined
): Effect.Effect<RetryFuture<A, E>, ExecutorShutdownError | TaskEncodeError> => {
  const future = new RetryFuture<A, E>()
  // An input moved to the first attempt's worker would be gone for the next: every attempt gets a copy.
  const { transfer: _moved, ...copied } = options as AttemptOptions & { readonly transfer?: unknown }
  const attemptOptions: AttemptOptions = {
    ...copied,
    [AttemptStarted]: () => {
      future.betweenAttempts = false
      if (future.state === "pending") setRunningUnsafe(future)
    }
  }
  return Effect.map(submitTask(task, input, attemptOptions), (first) => {
    let next: FutureImpl<A, any> | undefined = first
    let lastExit: Exit.Exit<A, any> | undefined = undefined
    /** No attempt can follow: the executor takes no more submits. */
    let executorShutDown = false
    // One attempt: its exit when it is the last one, its typed error for the policy to judge otherwise.
    const attempt = Effect.suspend(() => {
      const submitted = next !== undefined ? Effect.succeed(next) : submitTask(task, input, attemptOptions)
      next = undefined
      return submitted.pipe(
        Effect.matchEffect({
          // The executor shut down (or refuses the input) between attempts: the last attempt's exit stands.
          onFailure: () => Effect.succeed(lastExit!),
          onSuccess: (current) =>
            awaitExit(current).pipe(
              Effect.onInterrupt(() => interrupt(current)),
              Effect.flatMap((exit) => {
                lastExit = exit
                if (Exit.isSuccess(exit) || current.state === "cancelled") return Effect.succeed(exit)
                const error = Cause.findError(exit.cause)
                if (executorShutDown || Result.isFailure(error) || Result.isSuccess(Cause.findDefect(exit.cause))) {
                  return Effect.succeed(exit)
                }
                future.betweenAttempts = true
                return Effect.fail(error.success as E)
              })
            )
        })
      )
    })
    const retried = Effect.retry(attempt, retryOptions(policy) as any) as Effect.Effect<Exit.Exit<A, any>, E>
    // When the executor shuts down, a wait for the next attempt ends at once (none can be submitted); an attempt
    // that runs goes on, and is the last.
    const loop =
      whenShutdown === undefined
        ? retried
        : Effect.raceFirst(
            retried,
            Effect.andThen(
              whenShutdown,
              Effect.suspend(() => {
                executorShutDown = true
                return future.betweenAttempts ? Effect.succeed(lastExit!) : Effect.never
              })
            )
          )
    const fiber = Effect.runForkWith(context)(loop)
    future.loop = fiber
    // Ended from outside the loop (cancelled while its first attempt waits in the queue, completed by hand): the
    // loop stops, and with it the attempt (cancelled if queued, interrupted if it runs).
    future.owner = () => {
      if (future.loop !== undefined) future.loop.interruptUnsafe()
    }
    fiber.addObserver((exit) => {
      future.loop = undefined
      future.betweenAttempts = false
      // Exhausted, or stopped by an error the policy does not retry: the last attempt's exit, whole.
      const ended = Exit.isSuccess(exit)
        ? exit.value
        : lastExit !== undefined && !Cause.hasInterruptsOnly(exit.cause)
          ? lastExit
          : Exit.interrupt()
      const callbacks = finishUnsafe(future, ended)
      if (Array.isArray(callbacks) && callbacks.length > 0) Effect.runForkWith(context)(runCallbacks(future, callbacks))
    })
    return future
  })
}
