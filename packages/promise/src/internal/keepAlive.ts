/**
 * Keeps the process alive while a Promise executor owes someone an answer. The worker pools of the Promise
 * executors run with unref'd workers (a forgotten executor must not keep a script from exiting, as piscina's
 * idle workers do not), so something else has to hold the event loop open while a future is outstanding: one
 * timer for the whole process, ref'd while anything holds it. It never fires in practice; it is a handle, not
 * a poll.
 *
 * @internal
 */

let holds = 0
let handle: ReturnType<typeof setInterval> | undefined

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days): then it repeats, doing nothing. */
const maxDelay = 2 ** 31 - 1

const noop = () => {}

/** @internal */
export const hold = (): void => {
  if (holds++ === 0) (handle ??= setInterval(noop, maxDelay)).ref()
}

/** @internal */
export const release = (): void => {
  if (--holds === 0) handle!.unref()
}

/** Holds the process until `promise` settles. @internal */
export const holdUntil = <A>(promise: Promise<A>): Promise<A> => {
  hold()
  promise.then(release, release)
  return promise
}
