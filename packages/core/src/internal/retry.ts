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
 * What the loop knows between attempts, changed only by the transitions below: the attempt submitted but not
 * awaited yet (the first), the last attempt's exit, and whether the executor shut down (no attempt can follow).
 */
interface Attempts<A> {
  next: FutureImpl<A, any> | undefined
  lastExit: Exit.Exit<A, any> | undefined
  executorShutDown: boolean
}

/**
 * An attempt ended: its exit when it is the last one (a success, a cancel, a defect, an error the executor
 * made, or the executor has shut down), its typed error for the policy to judge otherwise.
 */
const attemptEnded = <A, E>(
  attempts: Attempts<A>,
  future: RetryFuture<A, E>,
  current: FutureImpl<A, any>,
  exit: Exit.Exit<A, any>
): Effect.Effect<Exit.Exit<A, any>, E> => {
  attempts.lastExit = exit
  if (Exit.isSuccess(exit) || current.state === "cancelled") return Effect.succeed(exit)
  const error = Cause.findError(exit.cause)
  if (attempts.executorShutDown || Result.isFailure(error) || Result.isSuccess(Cause.findDefect(exit.cause))) {
    return Effect.succeed(exit)
  }
  future.betweenAttempts = true
  return Effect.fail(error.success as E)
}

/** The executor shut down: a wait for the next attempt ends at once with the last exit; a running attempt goes on. */
const executorShutDown = <A>(attempts: Attempts<A>, future: RetryFuture<A, any>): Effect.Effect<Exit.Exit<A, any>> => {
  attempts.executorShutDown = true
  return future.betweenAttempts ? Effect.succeed(attempts.lastExit!) : Effect.never
}

/** The loop ended: exhausted, or stopped by an error the policy does not retry, it is the last attempt's exit, whole. */
const loopEnded = <A>(attempts: Attempts<A>, exit: Exit.Exit<Exit.Exit<A, any>, unknown>): Exit.Exit<A, any> =>
  Exit.isSuccess(exit)
    ? exit.value
    : attempts.lastExit !== undefined && !Cause.hasInterruptsOnly(exit.cause)
      ? attempts.lastExit
      : Exit.interrupt()

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
    const attempts: Attempts<A> = { next: first, lastExit: undefined, executorShutDown: false }
    const attempt = Effect.suspend(() => {
      const submitted =
        attempts.next !== undefined ? Effect.succeed(attempts.next) : submitTask(task, input, attemptOptions)
      attempts.next = undefined
      return submitted.pipe(
        Effect.matchEffect({
          // The executor shut down (or refuses the input) between attempts: the last attempt's exit stands.
          onFailure: () => Effect.succeed(attempts.lastExit!),
          onSuccess: (current) =>
            awaitExit(current).pipe(
              Effect.onInterrupt(() => interrupt(current)),
              Effect.flatMap((exit) => attemptEnded(attempts, future, current, exit))
            )
        })
      )
    })
    const retried = Effect.retry(attempt, retryOptions(policy) as any) as Effect.Effect<Exit.Exit<A, any>, E>
    const loop =
      whenShutdown === undefined
        ? retried
        : Effect.raceFirst(
            retried,
            Effect.andThen(
              whenShutdown,
              Effect.suspend(() => executorShutDown(attempts, future))
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
      const callbacks = finishUnsafe(future, loopEnded(attempts, exit))
      if (Array.isArray(callbacks) && callbacks.length > 0) Effect.runForkWith(context)(runCallbacks(future, callbacks))
    })
    return future
  })
}
