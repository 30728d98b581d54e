/**
 * A Stream as the async iterator of a `for await` loop. Breaking out of the loop (`return()`) interrupts the
 * stream, which runs its finalizers: `Executor.map` cancels the tasks it submitted that have not started and
 * interrupts the running ones. An aborted `AbortSignal` does the same, and the pending or next `next()`
 * rejects with the signal's reason, as `fetch` and Node's streams do.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Stream from "effect/Stream"
import * as KeepAlive from "./keepAlive.ts"

/** @internal */
export const iterate = <A>(
  stream: Stream.Stream<A, unknown>,
  options: { readonly signal?: AbortSignal | undefined; readonly keepAlive: boolean }
): AsyncIterableIterator<A> => {
  const inner = Stream.toAsyncIterableWith(stream, Context.empty())[Symbol.asyncIterator]()
  const signal = options.signal
  const onAbort = () => void inner.return!()
  signal?.addEventListener("abort", onAbort, { once: true })
  const stopListening = () => signal?.removeEventListener("abort", onAbort)
  const pull = async (): Promise<IteratorResult<A>> => {
    if (signal?.aborted) {
      await inner.return!()
      throw signal.reason
    }
    let result: IteratorResult<A>
    try {
      result = await inner.next()
    } catch (error) {
      stopListening()
      throw error
    }
    if (signal?.aborted) throw signal.reason
    if (result.done === true) stopListening()
    return result
  }
  const iterator: AsyncIterableIterator<A> = {
    next: () => (options.keepAlive ? KeepAlive.holdUntil(pull()) : pull()),
    return: async (value?: unknown) => {
      stopListening()
      await inner.return!()
      return { done: true, value: value as A }
    },
    [Symbol.asyncIterator]: () => iterator
  }
  return iterator
}
