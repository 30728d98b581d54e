import { Cause, Clock, Duration, Effect, Exit, Option, Stream } from "effect"
import type { Future } from "../Future.ts"
import { type CancelledError, TimeoutError } from "../FutureError.ts"
import { awaitExit, cancel, type FutureImpl, interrupt, isDone } from "./future.ts"

/**
 * `Executor.map`'s engine: pulls inputs lazily, keeps at most `buffer` futures in flight, emits results in
 * submission order, fails at the first failure in that order, and stops what is still in flight when the
 * stream ends early.
 *
 * @internal
 */
export const mapInOrder = <I, A, E, E2, R>(
  inputs: Iterable<I>,
  submit: (input: I) => Effect.Effect<Future<A, E>, E2, R>,
  options: { readonly buffer: number; readonly timeout?: Duration.Input | undefined }
): Stream.Stream<A, E | E2 | CancelledError | TimeoutError, R> =>
  Stream.unwrap(
    Effect.map(Clock.currentTimeMillis, (startedAt) => {
      const buffer = Math.max(1, options.buffer)
      const timeoutMillis =
        options.timeout === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(options.timeout))
      const iterator = inputs[Symbol.iterator]()
      const inFlight: Array<FutureImpl<A, E>> = []
      let exhausted = false

      const fill: Effect.Effect<void, E2, R> = Effect.suspend(() => {
        if (exhausted || inFlight.length >= buffer) return Effect.void
        const next = iterator.next()
        if (next.done === true) {
          exhausted = true
          return Effect.void
        }
        return Effect.flatMap(submit(next.value), (future) => {
          inFlight.push(future as unknown as FutureImpl<A, E>)
          return fill
        })
      })

      const timedOut = () =>
        new TimeoutError(
          `Executor.map: no result within ${Duration.format(Duration.fromInputUnsafe(options.timeout!))}`
        )

      const awaitHead = (head: FutureImpl<A, E>): Effect.Effect<Exit.Exit<A, E | CancelledError>, TimeoutError> => {
        if (timeoutMillis === undefined || isDone(head)) return awaitExit(head)
        return Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const remaining = startedAt + timeoutMillis - now
          if (remaining <= 0) return Effect.fail(timedOut())
          return Effect.flatMap(Effect.timeoutOption(awaitExit(head), remaining), (exit) =>
            Option.isSome(exit) ? Effect.succeed(exit.value) : Effect.fail(timedOut())
          )
        })
      }

      // Emits the head's value and every further result already in, as one chunk.
      const emit = (exit: Exit.Exit<A, E | CancelledError>): Effect.Effect<[A, ...Array<A>], E | CancelledError> => {
        if (Exit.isFailure(exit)) return Effect.failCause(exit.cause)
        inFlight.shift()
        const values: [A, ...Array<A>] = [exit.value]
        while (inFlight.length > 0 && inFlight[0]!.state === "succeeded") {
          values.push((inFlight.shift()!.exit as Exit.Success<A>).value)
        }
        return Effect.succeed(values)
      }

      const pull = Effect.flatMap(
        fill,
        (): Effect.Effect<[A, ...Array<A>], E | CancelledError | TimeoutError | Cause.Done> => {
          const head = inFlight[0]
          if (head === undefined) return Cause.done()
          return head.exit !== undefined ? emit(head.exit) : Effect.flatMap(awaitHead(head), emit)
        }
      )

      // Pending ones first, so that stopping a running task does not let a queued one start in its place.
      const stopInFlight = Effect.suspend(() => {
        const rest = inFlight.splice(0)
        return Effect.forEach(rest, cancel, { discard: true }).pipe(
          Effect.andThen(Effect.forEach(rest, interrupt, { concurrency: "unbounded", discard: true }))
        )
      })

      return Stream.fromPull(Effect.succeed(pull)).pipe(Stream.onExit(() => stopInFlight))
    })
  )
