/**
 * `asCompleted`: Python's `concurrent.futures.as_completed` as an async iterable.
 *
 * @since 0.1.0
 */
import { Future as CoreFuture } from "@effect-futures/core"
import * as Stream from "effect/Stream"
import { coreOf, type Future, type Timeout } from "./internal/future.ts"
import { iterate } from "./internal/iterate.ts"

/**
 * Options of {@link asCompleted}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AsCompletedOptions {
  /** Counted from the first `next()`: after yielding every future done in time, the loop throws `TimeoutError`. */
  readonly timeout?: Timeout | undefined
  /** Aborting it ends the loop: the pending or next `next()` rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Yields the futures as they finish (Python's `as_completed`): those already done first, then each as it
 * ends; a future given twice comes once. Leaving the loop early does not cancel the futures (as Python's); use
 * `cancel()` or `interrupt()` on what is left.
 *
 * @example
 * ```ts
 * import { asCompleted, AsyncPoolExecutor } from "@effect-futures/promise"
 *
 * await using executor = new AsyncPoolExecutor()
 * const sleep = (ms: number) => new Promise<number>((resolve) => setTimeout(resolve, ms, ms))
 * const futures = [30, 10, 20].map((ms) => executor.submit(() => sleep(ms)))
 * for await (const future of asCompleted(futures)) console.log(await future.result()) // 10, 20, 30
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const asCompleted = <F extends Future<any, any>>(
  futures: Iterable<F>,
  options?: AsCompletedOptions
): AsyncIterableIterator<F> => {
  const objects = new Map<unknown, F>()
  for (const future of futures) objects.set(coreOf(future), future)
  const completed = CoreFuture.asCompleted(
    objects.keys() as Iterable<CoreFuture.Future<any, any>>,
    options?.timeout === undefined ? undefined : { timeout: options.timeout }
  )
  return iterate(
    Stream.map(completed, (core) => objects.get(core)!),
    { signal: options?.signal, keepAlive: false }
  )
}
