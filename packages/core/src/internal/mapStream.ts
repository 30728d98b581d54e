import { Cause, Clock, Duration, Effect, Exit, Option, Stream } from "effect"
import type { Future } from "../Future.ts"
import { type CancelledError, TimeoutError } from "../FutureError.ts"
import { awaitExit, type FutureImpl, interrupt, isDone } from "./future.ts"

/**
 * `Executor.map`'s engine: pulls inputs lazily, keeps at most `buffer` futures in flight, emits results in
 * submission order, fails at the first failure in that order, and interrupts what is still in flight when
 * the stream ends early.
 *
 * @internal
 */
export const mapInOrder = <I, A, E, E2, R>(
  inputs: Iterable<I>,
  submit: (input: I) => Effect.Effect<Future<A, E>, E2, R>,
  options: { readonly buffer: number; readonly timeout?: Duration.Input | undefined }
): Stream.Stream<A, E | E2 | CancelledError | TimeoutError, R> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const buffer = Math.max(1, options.buffer)
      const deadline =
        options.timeout === undefined
          ? undefined
          : (yield* Clock.currentTimeMillis) + Duration.toMillis(Duration.fromInputUnsafe(options.timeout))
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

      const awaitHead = (head: FutureImpl<A, E>): Effect.Effect<Option.Option<Exit.Exit<A, E | CancelledError>>> =>
        Effect.gen(function* () {
          if (deadline === undefined || isDone(head)) return Option.some(yield* awaitExit(head))
          const remaining = deadline - (yield* Clock.currentTimeMillis)
          if (remaining <= 0) return Option.none()
          return yield* Effect.timeoutOption(awaitExit(head), remaining)
        })

      const pull = Effect.gen(function* () {
        yield* fill
        const head = inFlight[0]
        if (head === undefined) return yield* Cause.done()
        const exit = yield* awaitHead(head)
        if (Option.isNone(exit)) {
          return yield* Effect.fail(
            new TimeoutError(
              `Executor.map: no result within ${Duration.format(Duration.fromInputUnsafe(options.timeout!))}`
            )
          )
        }
        if (Exit.isFailure(exit.value)) return yield* Effect.failCause(exit.value.cause)
        inFlight.shift()
        // Emit every further result that is already in, in one chunk.
        const values: [A, ...Array<A>] = [exit.value.value]
        while (inFlight.length > 0 && inFlight[0]!.state === "succeeded") {
          values.push((inFlight.shift()!.exit as Exit.Success<A>).value)
        }
        return values
      })

      return Stream.fromPull(Effect.succeed(pull)).pipe(
        Stream.onExit(() => Effect.forEach(inFlight.splice(0), interrupt, { concurrency: "unbounded", discard: true }))
      )
    })
  )
