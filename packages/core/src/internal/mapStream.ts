import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Future } from "../Future.ts"
import { type CancelledError, TimeoutError } from "../FutureError.ts"
import { awaitExit, cancel, FutureImpl, interrupt, isDone, isExit } from "./future.ts"
import { WorkQueue } from "./workQueue.ts"

/**
 * `Executor.map`'s engine: pulls inputs lazily, keeps at most `buffer` futures in flight, emits results in
 * submission order, fails at the first failure in that order, and stops what is still in flight when the
 * stream ends early.
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

/** A unit in flight: its future, or its exit when it ended before it was ever a future. */
type Unit<X, E> = FutureImpl<X, E> | Exit.Exit<X, E | CancelledError>

const exitOf = <X, E>(unit: Unit<X, E>): Exit.Exit<X, E | CancelledError> | undefined =>
  "~effect/Exit" in unit ? unit : unit.exit

const chunksOf = <I>(inputs: Iterable<I>, size: number): Iterable<ReadonlyArray<I>> => ({
  [Symbol.iterator]: () => {
    const iterator = inputs[Symbol.iterator]()
    return {
      next: (): IteratorResult<ReadonlyArray<I>> => {
        const chunk: Array<I> = []
        while (chunk.length < size) {
          const next = iterator.next()
          if (next.done === true) break
          chunk.push(next.value)
        }
        return chunk.length === 0 ? { done: true, value: undefined } : { done: false, value: chunk }
      }
    }
  }
})

/**
 * Appends a unit's results to `into`; returns the failure that must end the stream after them, if any.
 */
type Unpack<X, A, E> = (value: X, into: Array<A>) => Cause.Cause<E> | undefined

const unpackOne = <A>(value: A, into: Array<A>): undefined => {
  into.push(value)
  return undefined
}

const unpackChunk = <A, E>(exits: ReadonlyArray<Exit.Exit<A, E>>, into: Array<A>): Cause.Cause<E> | undefined => {
  for (const exit of exits) {
    if (Exit.isFailure(exit)) return exit.cause
    into.push(exit.value)
  }
  return undefined
}

const arrayIterator = Array.prototype[Symbol.iterator]

const inOrder = <U, X, A, E, E1, E2, R>(
  inputs: Iterable<U>,
  submit: Submit<U, X, E, E2, R>,
  unpack: Unpack<X, A, E1>,
  options: MapOptions
): Stream.Stream<A, E | E1 | E2 | CancelledError | TimeoutError, R> =>
  Stream.unwrap(
    Effect.map(Clock.currentTimeMillis, (startedAt) => {
      const buffer = Math.max(1, options.buffer)
      const timeoutMillis =
        options.timeout === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(options.timeout))
      // An array is read by index, as its own iterator would read it, without a result object per input.
      const array = Array.isArray(inputs) && inputs[Symbol.iterator] === arrayIterator ? inputs : undefined
      const iterator = array === undefined ? inputs[Symbol.iterator]() : undefined
      let index = 0
      const inFlight = new WorkQueue<Unit<X, E | E1 | E2>>()
      /** No more inputs are pulled: the iterator is done, or a unit already failed. */
      let exhausted = false
      /** A failure inside a unit whose earlier results were emitted first: the stream's next pull fails. */
      let failure: Cause.Cause<E1> | undefined = undefined

      /**
       * Results of units that ended at once while nothing was in flight before them: they go out first, in the
       * next chunk, without a place in `inFlight`. They count towards `buffer`, so inputs are still pulled
       * lazily.
       */
      let ready: Array<A> = []

      const pushExit = (exit: Exit.Exit<X, E | E1 | E2 | CancelledError>) => {
        inFlight.push(exit)
        // Whatever comes after a failure would only be cancelled: stop pulling inputs.
        if (exit._tag === "Failure") exhausted = true
      }

      // Publishing the counts comes last even when the inputs' iterator throws.
      const fill: Effect.Effect<void, never, R> = Effect.withFiber((fiber) => {
        try {
          return fillFrom(fiber.context)
        } finally {
          options.afterSubmitting?.()
        }
      })

      const fillFrom = (context: Context.Context<never>): Effect.Effect<void, never, R> => {
        while (!exhausted && inFlight.length + ready.length < buffer) {
          let input: U
          if (array !== undefined) {
            if (index >= array.length) {
              exhausted = true
              break
            }
            input = array[index++]
          } else {
            const next = iterator!.next()
            if (next.done === true) {
              exhausted = true
              break
            }
            input = next.value
          }
          const submitted = submit(input, context)
          // Most often, in process, a unit that ended at once.
          if (isExit(submitted as Effect.Effect<unknown, unknown, unknown>)) {
            const exit = submitted as Exit.Exit<X, E | E2>
            if (exit._tag === "Success" && inFlight.length === 0) {
              const failed = unpack(exit.value, ready)
              if (failed !== undefined) pushExit(Exit.failCause(failed))
            } else {
              pushExit(exit)
            }
            continue
          }
          if (submitted instanceof FutureImpl) {
            inFlight.push(submitted)
            continue
          }
          return Effect.flatMap(Effect.exit((submitted as Submitting<X, E, E2, R>).effect), (exit) => {
            if (Exit.isSuccess(exit)) inFlight.push(exit.value as unknown as FutureImpl<X, E>)
            else pushExit(exit as Exit.Failure<never, E2>)
            return fill
          })
        }
        return Effect.void
      }

      const timedOut = () =>
        new TimeoutError(
          `Executor.map: no result within ${Duration.format(Duration.fromInputUnsafe(options.timeout!))}`
        )

      const awaitHead = (
        head: FutureImpl<X, E | E1 | E2>
      ): Effect.Effect<Exit.Exit<X, E | E1 | E2 | CancelledError>, TimeoutError> => {
        if (timeoutMillis === undefined || isDone(head)) return awaitExit(head)
        return Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const remaining = startedAt + timeoutMillis - now
          if (remaining <= 0) return Effect.fail(timedOut())
          return Effect.flatMap(Effect.timeoutOption(awaitExit(head), remaining), (exit) =>
            Option.isSome(exit) ? Effect.succeed(exit.value) : Effect.fail(timedOut())
          )
        })
      }

      /**
       * Appends the results of the units at the head that are in and succeeded; returns the failure inside the
       * last one taken, if any.
       */
      const takeDone = (values: Array<A>): Cause.Cause<E1> | undefined => {
        let failed: Cause.Cause<E1> | undefined = undefined
        while (failed === undefined) {
          const head = inFlight.peek()
          const headExit = head === undefined ? undefined : exitOf(head)
          if (headExit === undefined || headExit._tag === "Failure") break
          inFlight.shift()
          failed = unpack(headExit.value, values)
        }
        return failed
      }

      /** A chunk of results to emit; a failure found inside a unit after some of them fails the next pull. */
      const emitValues = (
        values: Array<A>,
        failed: Cause.Cause<E1> | undefined
      ): Effect.Effect<[A, ...Array<A>], E1> => {
        if (failed === undefined) return Effect.succeed(values as [A, ...Array<A>])
        if (values.length === 0) return Effect.failCause(failed)
        failure = failed
        return Effect.succeed(values as [A, ...Array<A>])
      }

      // Emits the head's results and those of every further unit already in, as one chunk.
      const emit = (
        exit: Exit.Exit<X, E | E1 | E2 | CancelledError>
      ): Effect.Effect<[A, ...Array<A>], E | E1 | E2 | CancelledError> => {
        if (exit._tag === "Failure") return Effect.failCause(exit.cause)
        inFlight.shift()
        const values: Array<A> = []
        const failed = unpack(exit.value, values)
        return emitValues(values, failed ?? takeDone(values))
      }

      const next = (): Effect.Effect<[A, ...Array<A>], E | E1 | E2 | CancelledError | TimeoutError | Cause.Done> => {
        if (ready.length > 0) {
          const values = ready
          ready = []
          return emitValues(values, takeDone(values))
        }
        const head = inFlight.peek()
        if (head === undefined) return Cause.done()
        const exit = exitOf(head)
        return exit !== undefined ? emit(exit) : Effect.flatMap(awaitHead(head as FutureImpl<X, E | E1 | E2>), emit)
      }
      // A failure already known ends the stream before any more work is submitted.
      const pull = Effect.suspend(() =>
        failure !== undefined ? Effect.failCause(failure) : Effect.flatMap(fill, next)
      )

      // Pending ones first, so that stopping a running task does not let a queued one start in its place.
      const stopInFlight = Effect.suspend(() => {
        const rest = inFlight.takeAll().filter((unit) => unit instanceof FutureImpl)
        return Effect.forEach(rest, cancel, { discard: true }).pipe(
          Effect.andThen(Effect.forEach(rest, interrupt, { concurrency: "unbounded", discard: true }))
        )
      })

      return Stream.fromPull(Effect.succeed(pull)).pipe(Stream.onExit(() => stopInFlight))
    })
  )
