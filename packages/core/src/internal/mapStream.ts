/**
 * `Executor.map`'s engine: an {@link InputCursor} pulls inputs lazily, each is submitted as a unit of work while
 * at most `buffer` are held, and {@link OrderedResults} emits the results in submission order, failing at the
 * first failure in that order; what is still in flight is stopped when the stream ends early.
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Future } from "../Future.ts"
import { type CancelledError, type ExecutorShutdownError, TimeoutError } from "../FutureError.ts"
import { type DirectSubmit, directSubmitOf } from "./directSubmit.ts"
import { awaitExit, cancel, FutureImpl, interrupt, isDone, isExit } from "./future.ts"
import { chunksOf, end, InputCursor } from "./inputCursor.ts"
import { OrderedResults, type Unpack, unpackChunk, unpackOne } from "./orderedResults.ts"

/**
 * Pulls inputs lazily, keeps at most `buffer` futures in flight, emits results in submission order.
 *
 * @internal
 */
export const mapInOrder = <I, A, E, E2, R>(
  inputs: Iterable<I>,
  submit: Submit<I, A, E, E2, R>,
  options: MapOptions
): Stream.Stream<A, E | E2 | CancelledError | TimeoutError, R> => inOrder(inputs, submit, unpackOne, options)

/**
 * `Executor.map` with `chunkSize`: the inputs go in chunks, one future per chunk whose value is each input's
 * `Exit`; results stream one by one in order, and the first failure fails the stream after every result
 * before it. `buffer` counts chunks.
 *
 * @internal
 */
export const mapChunksInOrder = <I, A, E, E1, E2, R>(
  inputs: Iterable<I>,
  chunkSize: number,
  submit: Submit<ReadonlyArray<I>, ReadonlyArray<Exit.Exit<A, E1>>, E, E2, R>,
  options: MapOptions
): Stream.Stream<A, E | E1 | E2 | CancelledError | TimeoutError, R> =>
  inOrder(chunksOf(inputs, chunkSize), submit, unpackChunk<A, E1>, options)

interface MapOptions {
  readonly buffer: number
  readonly timeout?: Duration.Input | undefined
  /** Called after each run of submissions (the in-process pool publishes the counts it kept quietly). */
  readonly afterSubmitting?: (() => void) | undefined
}

/**
 * Submits one unit of work. An executor that can submit synchronously (the in-process pool, with the
 * services of the fiber pulling the stream) returns the future itself, or the unit's `Exit` when it ended
 * before the call returned, or the `Exit` of a failed submission; any other executor returns the Effect that
 * submits, in a {@link Submitting}. A failed submission ends the stream at that unit's place, after the
 * results before it.
 */
type Submit<U, X, E, E2, R> = (
  input: U,
  context: Context.Context<never>
) => Submitting<X, E, E2, R> | FutureImpl<X, E> | Exit.Exit<X, E | E2>

/**
 * The Effect that submits a unit, for an executor that cannot submit synchronously. Wrapped, because an Effect
 * can itself be an `Exit` (`Effect.succeed(future)` is one), which would read as the unit's result.
 *
 * @internal
 */
export class Submitting<X, E, E2, R> {
  readonly effect: Effect.Effect<Future<X, E>, E2, R>
  constructor(effect: Effect.Effect<Future<X, E>, E2, R>) {
    this.effect = effect
  }
}

/**
 * `Executor.map(fn, …)`: each input's task `fn(input)` goes to the in-process executor found in the services of
 * the fiber that pulls the stream (`localOf`), and runs with those services. Through its {@link DirectSubmit}
 * when it has one: in one synchronous call, and a task that ends at once is its `Exit`, with no future.
 *
 * @internal
 */
export const mapFunction = <I, A, E>(
  f: (input: I) => Effect.Effect<A, E>,
  inputs: Iterable<I>,
  options: MapOptions,
  localOf: (context: Context.Context<never>) => LocalSubmit
): Stream.Stream<A, E | CancelledError | ExecutorShutdownError | TimeoutError> => {
  // The pulling fiber's services change rarely, if ever: its executor is looked up once per change.
  let context: Context.Context<never> | undefined = undefined
  let local: LocalSubmit | undefined = undefined
  let direct: DirectSubmit | undefined = undefined
  const submit = (input: I, pullContext: Context.Context<never>) => {
    if (pullContext !== context) {
      context = pullContext
      local = localOf(pullContext)
      direct = directSubmitOf(local)
    }
    return direct !== undefined
      ? direct.runCallUnsafe(f, input, pullContext)
      : new Submitting(
          local!.submit(
            Effect.provideContext(
              Effect.suspend(() => f(input)),
              pullContext
            )
          )
        )
  }
  return mapInOrder<I, A, E, CancelledError | ExecutorShutdownError, never>(inputs, submit, {
    ...options,
    afterSubmitting: () => direct?.publish()
  })
}

/** An in-process executor's service (`LocalExecutor`), as `map` uses it. */
interface LocalSubmit {
  readonly submit: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<Future<A, E>, ExecutorShutdownError>
}

const inOrder = <U, X, A, E, E1, E2, R>(
  inputs: Iterable<U>,
  submit: Submit<U, X, E, E2, R>,
  unpack: Unpack<X, A, E1>,
  options: MapOptions
): Stream.Stream<A, E | E1 | E2 | CancelledError | TimeoutError, R> =>
  Stream.unwrap(
    Effect.map(Clock.currentTimeMillis, (startedAt) => {
      const buffer = Math.max(1, options.buffer)
      const cursor = new InputCursor(inputs)
      const results = new OrderedResults<X, A, E | E2, E1>(unpack)

      // Publishing the counts comes last even when the inputs' iterator throws.
      const fill: Effect.Effect<void, never, R> = Effect.withFiber((fiber) => {
        try {
          return fillFrom(fiber.context)
        } finally {
          options.afterSubmitting?.()
        }
      })

      const fillFrom = (context: Context.Context<never>): Effect.Effect<void, never, R> => {
        while (!cursor.done && results.size < buffer) {
          const input = cursor.next()
          if (input === end) break
          const submitted = submit(input, context)
          // Most often, in process, a unit that ended at once.
          if (isExit(submitted as Effect.Effect<unknown, unknown, unknown>)) {
            if (results.addExit(submitted as Exit.Exit<X, E | E2>)) cursor.stop()
          } else if (submitted instanceof FutureImpl) {
            results.addFuture(submitted)
          } else {
            return Effect.flatMap(Effect.exit((submitted as Submitting<X, E, E2, R>).effect), (exit) => {
              if (Exit.isSuccess(exit)) results.addFuture(exit.value as unknown as FutureImpl<X, E>)
              else if (results.addExit(exit as Exit.Failure<never, E2>)) cursor.stop()
              return fill
            })
          }
        }
        return Effect.void
      }

      const awaitHead = headWaiter<X, E | E2>(startedAt, options.timeout)
      // A failure already known ends the stream before any more work is submitted.
      const pull = Effect.suspend(() =>
        results.failure !== undefined
          ? Effect.failCause(results.failure as Cause.Cause<E1>)
          : Effect.flatMap(fill, () => results.next(awaitHead))
      )
      return Stream.fromPull(Effect.succeed(pull)).pipe(Stream.onExit(() => stopInFlight(results)))
    })
  )

/** Waits for the head unit's exit, failing with `TimeoutError` once `timeout` from `startedAt` has elapsed. */
const headWaiter = <X, E>(startedAt: number, timeout: Duration.Input | undefined) => {
  if (timeout === undefined) return awaitExit<X, E>
  const duration = Duration.fromInputUnsafe(timeout)
  const timeoutMillis = Duration.toMillis(duration)
  const timedOut = () => new TimeoutError(`Executor.map: no result within ${Duration.format(duration)}`)
  return (head: FutureImpl<X, E>): Effect.Effect<Exit.Exit<X, E | CancelledError>, TimeoutError> => {
    if (isDone(head)) return awaitExit(head)
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const remaining = startedAt + timeoutMillis - now
      if (remaining <= 0) return Effect.fail(timedOut())
      return Effect.flatMap(Effect.timeoutOption(awaitExit(head), remaining), (exit) =>
        Option.isSome(exit) ? Effect.succeed(exit.value) : Effect.fail(timedOut())
      )
    })
  }
}

/** Pending ones first, so that stopping a running task does not let a queued one start in its place. */
const stopInFlight = (results: OrderedResults<any, any, any, any>): Effect.Effect<void> =>
  Effect.suspend(() => {
    const rest = results.takeFutures()
    return Effect.forEach(rest, cancel, { discard: true }).pipe(
      Effect.andThen(Effect.forEach(rest, interrupt, { concurrency: "unbounded", discard: true }))
    )
  })
