import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { TimeoutError } from "../FutureError.ts"
import { addListener, type FutureImpl, isDone, removeListener, resumeWaiter } from "./future.ts"

type AnyFuture = object

const impl = (future: AnyFuture): FutureImpl<unknown, unknown> => future as FutureImpl<unknown, unknown>

/** @internal */
export const asCompleted = <F extends AnyFuture>(
  futures: Iterable<F>,
  options?: { readonly timeout?: Duration.Input | undefined }
): Stream.Stream<F, TimeoutError> =>
  Stream.callback<F, TimeoutError>((queue) =>
    Effect.suspend(() => {
      const unique = new Set(futures)
      let remaining = 0
      for (const future of unique) {
        if (isDone(impl(future))) Queue.offerUnsafe(queue, future)
        else remaining++
      }
      if (remaining === 0) {
        Queue.endUnsafe(queue)
        return Effect.void
      }
      const onDone = (future: FutureImpl<any, any>) => {
        Queue.offerUnsafe(queue, future as unknown as F)
        if (--remaining === 0) Queue.endUnsafe(queue)
      }
      for (const future of unique) {
        if (!isDone(impl(future))) addListener(impl(future), onDone)
      }
      const stopListening = Effect.addFinalizer(() =>
        Effect.sync(() => {
          for (const future of unique) removeListener(impl(future), onDone)
        })
      )
      if (options?.timeout === undefined) return stopListening
      const timeout = options.timeout
      // Queue.fail lets the consumer drain what finished in time before it sees the failure.
      return Effect.andThen(
        stopListening,
        Effect.sleep(timeout).pipe(
          Effect.andThen(
            Queue.fail(
              queue,
              new TimeoutError(
                `${remaining} futures were not done within ${Duration.format(Duration.fromInputUnsafe(timeout))}`
              )
            )
          ),
          Effect.forkScoped
        )
      )
    })
  )

/** @internal */
export const wait = <F extends AnyFuture>(
  futures: Iterable<F>,
  options?: {
    readonly returnWhen?: "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED" | undefined
    readonly timeout?: Duration.Input | undefined
  }
): Effect.Effect<{ readonly done: ReadonlySet<F>; readonly notDone: ReadonlySet<F> }> =>
  Effect.suspend(() => {
    const unique = new Set(futures)
    const returnWhen = options?.returnWhen ?? "ALL_COMPLETED"
    const split = () => {
      const done = new Set<F>()
      const notDone = new Set<F>()
      for (const future of unique) (isDone(impl(future)) ? done : notDone).add(future)
      return { done: done as ReadonlySet<F>, notDone: notDone as ReadonlySet<F> }
    }
    // One pass now; afterwards each completion looks only at the future that just ended, so a wait over
    // n futures costs O(n), not O(n²).
    const ends = (state: string) =>
      returnWhen === "FIRST_COMPLETED" || (returnWhen === "FIRST_EXCEPTION" && state === "failed")
    const satisfiedNow = (): boolean => {
      let allDone = true
      for (const future of unique) {
        const state = impl(future).state
        if (state === "pending" || state === "running") allDone = false
        else if (ends(state)) return true
      }
      return allDone
    }
    if (satisfiedNow()) return Effect.succeed(split())
    const waitUntilSatisfied = Effect.callback<void>((resume) => {
      if (satisfiedNow()) return resume(Effect.void)
      let remaining = 0
      const stopListening = () => {
        for (const future of unique) removeListener(impl(future), onDone)
      }
      const onDone = (future: FutureImpl<any, any>) => {
        if (--remaining === 0 || ends(future.state)) {
          stopListening()
          resumeWaiter(resume, Effect.void)
        }
      }
      for (const future of unique) {
        if (!isDone(impl(future))) {
          remaining++
          addListener(impl(future), onDone)
        }
      }
      return Effect.sync(stopListening)
    })
    const timed =
      options?.timeout === undefined ? waitUntilSatisfied : Effect.timeoutOption(waitUntilSatisfied, options.timeout)
    return Effect.map(timed, split)
  })
