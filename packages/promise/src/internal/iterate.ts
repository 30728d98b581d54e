/**
 * A Stream as the async iterator of a `for await` loop. Breaking out of the loop (`return()`) interrupts the
 * stream and closes its scope, which runs its finalizers: `Executor.map` cancels the tasks it submitted that
 * have not started and interrupts the running ones. An aborted `AbortSignal` does the same, and the pending or
 * next `next()` rejects with the signal's reason, as `fetch` and Node's streams do.
 *
 * Effect's `Stream.toAsyncIterable` runs two fibers per pull (the pull, and a wait for it); here a pull that
 * ends at once (the next result is already there) costs one fiber, and one that waits adds only an observer.
 *
 * @internal
 */
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Pull from "effect/Pull"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as KeepAlive from "./keepAlive.ts"

const end: IteratorReturnResult<any> = { done: true, value: undefined }

/** @internal */
export const iterate = <A>(
  stream: Stream.Stream<A, unknown>,
  options: { readonly signal?: AbortSignal | undefined; readonly keepAlive: boolean }
): AsyncIterableIterator<A> => {
  const scope = Scope.makeUnsafe()
  const start = Scope.provide(Stream.toPull(stream), scope)
  let pull: Pull.Pull<Arr.NonEmptyReadonlyArray<A>, unknown> | undefined
  let chunk: ReadonlyArray<A> = []
  let index = 0
  let pulling: Fiber.Fiber<Arr.NonEmptyReadonlyArray<A>, unknown> | undefined
  let closed: Promise<void> | undefined

  const close = (): Promise<void> => {
    if (closed !== undefined) return closed
    // Set before the interruption: the interrupted pull ends inside it and must see that the loop is closing.
    let done!: () => void
    closed = new Promise((resolve) => (done = resolve))
    const stopping = pulling === undefined ? Effect.void : Fiber.interrupt(pulling)
    Effect.runFork(Effect.andThen(stopping, Scope.close(scope, Exit.void))).addObserver(() => done())
    return closed
  }

  const settle = (exit: Exit.Exit<Arr.NonEmptyReadonlyArray<A>, unknown>): Promise<IteratorResult<A>> => {
    if (Exit.isSuccess(exit)) {
      chunk = exit.value
      index = 1
      return Promise.resolve({ done: false, value: chunk[0]! })
    }
    // The end of the stream, or its interruption by `return()`.
    if (Pull.isDoneCause(exit.cause) || (closed !== undefined && Cause.hasInterruptsOnly(exit.cause))) {
      return close().then(() => end)
    }
    return close().then(() => {
      throw Cause.squash(exit.cause)
    })
  }

  const pullNext = (): Promise<IteratorResult<A>> => {
    if (index < chunk.length) return Promise.resolve({ done: false, value: chunk[index++]! })
    if (closed !== undefined) return closed.then(() => end)
    const fiber = Effect.runFork(pull ?? Effect.flatMap(start, (started) => (pull = started)))
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) return settle(exit)
    pulling = fiber
    return new Promise((resolve) =>
      fiber.addObserver((exit) => {
        pulling = undefined
        resolve(settle(exit))
      })
    )
  }

  const signal = options.signal
  const onAbort = () => void close()
  signal?.addEventListener("abort", onAbort, { once: true })
  const next = async (): Promise<IteratorResult<A>> => {
    if (signal?.aborted) {
      await close()
      throw signal.reason
    }
    let result: IteratorResult<A>
    try {
      result = await pullNext()
    } catch (error) {
      throw signal!.aborted ? signal!.reason : error
    }
    if (signal?.aborted) throw signal.reason
    if (result.done === true) signal?.removeEventListener("abort", onAbort)
    return result
  }

  const guarded = signal === undefined ? pullNext : next
  const iterator: AsyncIterableIterator<A> = {
    // A worker pool's workers do not hold the process: a loop waiting for its next result does.
    next: options.keepAlive ? () => KeepAlive.holdUntil(guarded()) : guarded,
    return: async (value?: unknown) => {
      signal?.removeEventListener("abort", onAbort)
      await close()
      return { done: true, value: value as A }
    },
    [Symbol.asyncIterator]: () => iterator
  }
  return iterator
}
