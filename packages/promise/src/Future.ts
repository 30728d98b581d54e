/**
 * `Future`: the handle `submit` returns, Python's `concurrent.futures.Future` with Promises.
 *
 * @since 0.1.0
 */
export { type DoneCallback, Future, type Timeout, type WaitOptions } from "./internal/future.ts"
export type { ShutdownOptions } from "./internal/base.ts"
