/**
 * `wait`: Python's `concurrent.futures.wait` over `Future` objects.
 *
 * @since 0.1.0
 */
import { Future as CoreFuture } from "@effect-futures/core"
import * as Effect from "effect/Effect"
import { coreOf, type Future, type Timeout } from "./internal/future.ts"

/**
 * When {@link wait} resolves: at the first future done, at the first that fails (or when all are done), or
 * when all are done.
 *
 * @since 0.1.0
 * @category models
 */
export type ReturnWhen = "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED"

/**
 * Options of {@link wait}.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitForOptions {
  /** Default `"ALL_COMPLETED"`. */
  readonly returnWhen?: ReturnWhen | undefined
  /** Resolve with the split as it is after this long; `wait` never rejects. */
  readonly timeout?: Timeout | undefined
}

/**
 * Waits until `returnWhen` holds or the timeout elapses, then resolves with the futures split into `done` and
 * `notDone` (Python's `wait`). `"FIRST_EXCEPTION"` counts failures, not cancellations. Futures of different
 * executors and types can be mixed; the sets hold the same objects.
 *
 * @example
 * ```ts
 * import { AsyncPoolExecutor, wait } from "@effect-futures/promise"
 *
 * await using executor = new AsyncPoolExecutor()
 * const fast = executor.submit(async () => "fast")
 * const slow = executor.submitWith({}, (signal) => new Promise((resolve) => signal.addEventListener("abort", resolve)))
 * const { done, notDone } = await wait([fast, slow], { returnWhen: "FIRST_COMPLETED" })
 * console.log(done.has(fast), notDone.has(slow)) // true true
 * await slow.interrupt()
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const wait = async <F extends Future<any, any>>(
  futures: Iterable<F>,
  options?: WaitForOptions
): Promise<{ readonly done: Set<F>; readonly notDone: Set<F> }> => {
  const objects = new Map<unknown, F>()
  for (const future of futures) objects.set(coreOf(future), future)
  const split = await Effect.runPromise(
    CoreFuture.wait(objects.keys() as Iterable<CoreFuture.Future<any, any>>, options)
  )
  const back = (cores: ReadonlySet<unknown>) => new Set(Array.from(cores, (core) => objects.get(core)!))
  return { done: back(split.done), notDone: back(split.notDone) }
}
