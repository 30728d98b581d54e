/**
 * `AsyncPoolExecutor`: async functions with bounded concurrency in this process (the `p-limit` use), with
 * Python's futures.
 *
 * @since 0.1.0
 */
import { Executor, FutureError } from "@effect-futures/core"
import { directSubmitOf } from "@effect-futures/core/internal/directSubmit"
import { FutureImpl } from "@effect-futures/core/internal/future"
import * as Validate from "@effect-futures/core/internal/validate"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { readSubmitOptions, requireFunction } from "./internal/arguments.ts"
import { BaseExecutor } from "./internal/base.ts"
import * as State from "./internal/executor.ts"
import type { Future, Timeout } from "./internal/future.ts"
import { iterate } from "./internal/iterate.ts"
import type { MapOptions } from "./internal/taskExecutor.ts"

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  MapOptions
} from "./internal/taskExecutor.ts"

/**
 * Options of the {@link AsyncPoolExecutor}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AsyncPoolOptions {
  /** At most this many functions running at once (default: Python's `min(32, cpus + 4)`). */
  readonly maxWorkers?: number | undefined
  /** The executor's name: the `executor_name` attribute of its metrics. */
  readonly name?: string | undefined
}

/**
 * Options of {@link AsyncPoolExecutor.submitWith}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AsyncSubmitOptions {
  /** Aborting it cancels the call if it has not started, or aborts the function's own `AbortSignal`. */
  readonly signal?: AbortSignal | undefined
  /**
   * Stop the call once it has run this long (milliseconds, or a duration such as `"5 seconds"`): its
   * `AbortSignal` aborts and the future fails with `TimeoutError`. Unlike `result({ timeout })`, which only
   * stops waiting.
   */
  readonly timeout?: Timeout | undefined
}

/**
 * Python's `ThreadPoolExecutor` for I/O-bound async code, in this process: at most `maxWorkers` async
 * functions run at once, the others wait in order (as `p-limit`), and each call gets a `Future`.
 * `submit(fn, ...args)` calls `fn(...args)`, as Python's does; `submitWith({ signal, timeout }, fn, ...args)`
 * calls `fn(signal, ...args)` with an `AbortSignal` that aborts when its future is interrupted (or the given
 * `signal` aborts, or `timeout` elapses). Whatever the function throws or rejects with is what `result()`
 * rejects with. Built on `Executor.layerFiber`; ready from the constructor on.
 *
 * @example
 * ```ts
 * import { AsyncPoolExecutor } from "@effect-futures/promise"
 *
 * await using executor = new AsyncPoolExecutor({ maxWorkers: 4 })
 * const doubled = executor.submit(async (x: number) => x * 2, 21)
 * console.log(await doubled.result()) // 42
 *
 * // The call's own AbortSignal comes first: it aborts on interrupt(), on the given signal, or after the timeout.
 * const status = executor.submitWith({ timeout: "5 seconds" }, (signal, url: string) =>
 *   fetch(url, { signal }).then((response) => response.status), "https://example.com")
 * console.log(await status.result())
 *
 * for await (const length of executor.map(async (word: string) => word.length, ["a", "bb", "ccc"])) {
 *   console.log(length) // 1, 2, 3
 * }
 * ```
 *
 * @since 0.1.0
 * @category executors
 */
export class AsyncPoolExecutor extends BaseExecutor<Executor.Executor | Executor.LocalExecutor> {
  constructor(options?: AsyncPoolOptions) {
    // A wrong option throws here, named as the user wrote it (Python's constructors raise `ValueError`).
    const checked = Validate.readOptions("AsyncPoolExecutor", options, ["maxWorkers", "name"])
    Validate.count(checked, "maxWorkers", 1)
    Validate.string(checked, "name")
    super(
      Executor.layerFiber({
        ...(options?.maxWorkers === undefined ? {} : { maxWorkers: options.maxWorkers }),
        ...(options?.name === undefined ? {} : { name: options.name })
      }),
      // Nothing here holds the process: a running function holds it with its own I/O, as any Promise does.
      { keepAlive: false }
    )
  }

  /**
   * Calls `fn(...args)` when a worker is free and returns its `Future` at once (Python's
   * `submit(fn, *args)`). For an `AbortSignal` or a timeout, use {@link submitWith}. Throws
   * `ExecutorShutdownError` after `shutdown`, and a `TypeError` if `fn` is not a function.
   */
  submit<Args extends ReadonlyArray<unknown>, A>(
    fn: (...args: Args) => A | PromiseLike<A>,
    ...args: Args
  ): Future<Awaited<A>> {
    requireFunction("AsyncPoolExecutor.submit", fn)
    const effect = callWithArguments(fn, args)
    return State.submit(this.state, (ready) => submitDirectly(ready, effect), undefined)
  }

  /**
   * Calls `fn(signal, ...args)` when a worker is free and returns its `Future` at once: `submit` with options.
   * `signal` aborts when the future is interrupted, when `options.signal` aborts (which also cancels a call
   * not started yet), or when `options.timeout` elapses (the future then fails with `TimeoutError`). The
   * options come first, so no argument is ever taken for them. Throws `ExecutorShutdownError` after
   * `shutdown`, an `IllegalArgumentError` for a wrong option (an unknown key, a `timeout` that is not a
   * duration), and a `TypeError` for an `fn` that is not a function.
   */
  submitWith<Args extends ReadonlyArray<unknown>, A>(
    options: AsyncSubmitOptions,
    fn: (signal: AbortSignal, ...args: Args) => A | PromiseLike<A>,
    ...args: Args
  ): Future<Awaited<A>> {
    const { signal, timeout } = readSubmitOptions("AsyncPoolExecutor.submitWith", options)
    requireFunction("AsyncPoolExecutor.submitWith", fn)
    const called = call((signal) => fn(signal, ...args))
    const effect = timeout === undefined ? called : withTimeout(called, timeout)
    return State.submit(this.state, (ready) => submitDirectly(ready, effect), signal)
  }

  /**
   * Calls `fn(input, signal)` for each input and yields the results in input order (Python's `map`), as an
   * async iterable: at most `buffer` calls in flight, inputs read lazily from the first `next()`. The first
   * failure, in input order, throws from the loop after every result before it. Leaving the loop early
   * (`break`, `throw`, an aborted `signal`) cancels the calls not started and aborts the running ones.
   */
  map<I, A>(
    fn: (input: I, signal: AbortSignal) => A | PromiseLike<A>,
    inputs: Iterable<I>,
    options?: MapOptions
  ): AsyncIterableIterator<Awaited<A>> {
    requireFunction("AsyncPoolExecutor.map", fn)
    const { signal, ...mapOptions } = options ?? {}
    const stream = State.stream(
      this.state,
      () =>
        Executor.map((input: I) => call((signal) => fn(input, signal)), inputs, mapOptions) as Stream.Stream<
          Awaited<A>,
          unknown,
          Executor.Executor | Executor.LocalExecutor
        >
    )
    return iterate(stream, { signal, keepAlive: false })
  }
}

/**
 * The in-process pool's synchronous way in (what `Executor.submit(effect)` uses inside Effect): no fiber just to
 * submit, the call starts on this stack when a worker is free.
 */
const submitDirectly = <A>(
  ready: State.Ready<Executor.Executor | Executor.LocalExecutor>,
  effect: Effect.Effect<A, unknown>
): State.Submission<never> => {
  const local = Context.get(ready.context, Executor.LocalExecutor)
  const direct = directSubmitOf(local)
  if (direct === undefined) return local.submit(effect)
  const submitted = direct.submitUnsafe(effect, ready.context as Context.Context<never>)
  return submitted instanceof FutureImpl ? submitted : Effect.fail(submitted)
}

/** The call, stopped after `timeout` (its signal aborts) with a `TimeoutError`. */
const withTimeout = <A>(effect: Effect.Effect<A, unknown>, timeout: Duration.Duration): Effect.Effect<A, unknown> =>
  Effect.timeoutOrElse(effect, {
    duration: timeout,
    orElse: () => Effect.fail(new FutureError.TimeoutError(`the call did not end within ${Duration.format(timeout)}`))
  })

/**
 * `fn(...args)` as an Effect, for `submit`: no `AbortSignal`, so Effect makes none (it makes one for a function
 * that declares the parameter), which also spares each call an `AbortController`.
 */
const callWithArguments = <Args extends ReadonlyArray<unknown>, A>(
  fn: (...args: Args) => A | PromiseLike<A>,
  args: Args
): Effect.Effect<Awaited<A>, unknown> =>
  Effect.tryPromise({ try: async () => fn(...args), catch: (error) => error }) as Effect.Effect<Awaited<A>, unknown>

/** The call as an Effect: its value, or whatever it threw or rejected with as the typed error. */
const call = <A>(fn: (signal: AbortSignal) => A | PromiseLike<A>): Effect.Effect<Awaited<A>, unknown> =>
  // `async` turns a synchronous throw into a rejection, and a plain value into a Promise.
  Effect.tryPromise({ try: async (signal) => fn(signal), catch: (error) => error }) as Effect.Effect<
    Awaited<A>,
    unknown
  >
