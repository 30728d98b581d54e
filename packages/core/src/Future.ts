/**
 * A `Future<A, E>` is a handle to one submitted computation: Python's `concurrent.futures.Future` with a
 * typed error. States: `"pending"` → `"running"` → `"succeeded"` | `"failed"` | `"cancelled"`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { constVoid, dual } from "effect/Function"
import type { Pipeable } from "effect/Pipeable"
import type * as Types from "effect/Types"
import { CancelledError, InvalidStateError, TimeoutError, UnknownError } from "./FutureError.ts"
import * as internal from "./internal/future.ts"
import * as combinators from "./internal/combinators.ts"
import { illegalOption, invalidTimeout } from "./internal/validate.ts"
import { FiberFuture, startTaskUnsafe } from "./internal/taskFiber.ts"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof internal.TypeId = internal.TypeId

/**
 * A handle to one submitted computation that ends with an `A` or a typed error `E`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future: Future.Future<number> = yield* Executor.submit(Effect.succeed(42))
 *   return yield* Future.result(future)
 * }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 4 })))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Future<out A, out E = never> extends Pipeable {
  readonly [internal.TypeId]: { readonly _A: Types.Covariant<A>; readonly _E: Types.Covariant<E> }
  /** A number unique to this future in this process, for logs. */
  readonly id: number
}

/**
 * Where a future is in its life: `"pending"` (queued), `"running"`, or one of the terminal states.
 *
 * @since 0.1.0
 * @category models
 */
export type State = internal.State

/**
 * A done callback: gets the future once it is done; may return an Effect, which runs to its end.
 *
 * @since 0.1.0
 * @category models
 */
export type DoneCallback<A, E> = (future: Future<A, E>) => void | Effect.Effect<void, unknown>

/**
 * Options of `result` and `exception`.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** Give up waiting (the future is unchanged) after this long, failing with `TimeoutError`. */
  readonly timeout?: Duration.Input | undefined
  /**
   * When the `timeout` elapses, also stop the task (`Future.interrupt`: in its worker too), then fail with
   * `TimeoutError`. Without it, as in Python, the task goes on and only the waiting stops.
   *
   * @since 0.1.0
   */
  readonly interrupt?: boolean | undefined
}

const impl = <A, E>(future: Future<A, E>): internal.FutureImpl<A, E> => future as unknown as internal.FutureImpl<A, E>

/**
 * Whether a value is a `Future`.
 *
 * @example
 * ```ts
 * import { Future } from "@effect-futures/core"
 *
 * Future.isFuture("not a future") // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isFuture: (u: unknown) => u is Future<unknown, unknown> = internal.isFuture as any

/**
 * Makes a pending future that you complete yourself; for executor authors and tests.
 *
 * @example
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.make<number, string>()
 *   yield* Future.complete(future, Exit.succeed(1))
 *   return yield* Future.result(future) // 1
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <A, E = never>(): Effect.Effect<Future<A, E>> =>
  Effect.sync(() => new internal.FutureImpl<A, E>() as unknown as Future<A, E>)

/**
 * Completes a pending or running future with an `Exit` (Python's `set_result` / `set_exception`). An exit
 * that holds only interruptions cancels it. Completing a done future fails with `InvalidStateError`.
 *
 * @example
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.make<number, string>()
 *   yield* Future.complete(future, Exit.fail("no stock"))
 *   return yield* Future.exception(future) // Option.some("no stock")
 * })
 * ```
 *
 * @since 0.1.0
 * @category executor authors
 */
export const complete: {
  <A, E>(exit: Exit.Exit<A, E>): (self: Future<A, E>) => Effect.Effect<void, InvalidStateError>
  <A, E>(self: Future<A, E>, exit: Exit.Exit<A, E>): Effect.Effect<void, InvalidStateError>
} = dual(2, <A, E>(self: Future<A, E>, exit: Exit.Exit<A, E>) => internal.complete(impl(self), exit))

/**
 * Marks a pending future as running (Python's `set_running_or_notify_cancel`): `true` if it may start,
 * `false` if it was cancelled while pending (do not run it). A running or done future fails with
 * `InvalidStateError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.make<number>()
 *   return yield* Future.setRunning(future) // true
 * })
 * ```
 *
 * @since 0.1.0
 * @category executor authors
 */
export const setRunning = <A, E>(self: Future<A, E>): Effect.Effect<boolean, InvalidStateError> =>
  Effect.suspend(() => {
    const outcome = internal.setRunningUnsafe(impl(self))
    return typeof outcome === "string" ? Effect.succeed(outcome === "running") : Effect.fail(outcome)
  })

/**
 * Tells the future how to stop its running task: {@link interrupt} runs `handler` on a running future, then
 * waits for the future to be done. For executor authors; the executors of this library set it themselves.
 *
 * @example
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.make<number>()
 *   yield* Future.setRunning(future)
 *   yield* Future.setInterruptHandler(future, Future.complete(future, Exit.interrupt()).pipe(Effect.ignore))
 *   return yield* Future.interrupt(future) // true
 * })
 * ```
 *
 * @since 0.1.0
 * @category executor authors
 */
export const setInterruptHandler: {
  (handler: Effect.Effect<void>): <A, E>(self: Future<A, E>) => Effect.Effect<void>
  <A, E>(self: Future<A, E>, handler: Effect.Effect<void>): Effect.Effect<void>
} = dual(2, <A, E>(self: Future<A, E>, handler: Effect.Effect<void>) =>
  Effect.sync(() => {
    const future = impl(self)
    if (!internal.isDone(future)) future.interruptor = handler
  })
)

/**
 * The future's state now, without waiting.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.flatMap(Future.make<number>(), Future.state) // "pending"
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const state = <A, E>(self: Future<A, E>): Effect.Effect<State> => Effect.sync(() => impl(self).state)

/**
 * Whether the future is done: succeeded, failed or cancelled (Python's `done`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.flatMap(Future.make<number>(), Future.done) // false
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const done = <A, E>(self: Future<A, E>): Effect.Effect<boolean> => Effect.sync(() => internal.isDone(impl(self)))

/**
 * Whether the future's task is running now (Python's `running`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.flatMap(Future.make<number>(), Future.running) // false
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const running = <A, E>(self: Future<A, E>): Effect.Effect<boolean> =>
  Effect.sync(() => impl(self).state === "running")

/**
 * Whether the future was cancelled (Python's `cancelled`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.make<number>()
 *   yield* Future.cancel(future)
 *   return yield* Future.cancelled(future) // true
 * })
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const cancelled = <A, E>(self: Future<A, E>): Effect.Effect<boolean> =>
  Effect.sync(() => impl(self).state === "cancelled")

/**
 * Waits for the future and returns how it ended; never fails. A cancelled future's exit is
 * `Exit.fail(CancelledError)`.
 *
 * @example
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.fail("boom"))
 *   const exit = yield* Future.await(future)
 *   return Exit.isFailure(exit) // true
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
const await_ = <A, E>(self: Future<A, E>): Effect.Effect<Exit.Exit<A, E | CancelledError>> =>
  internal.awaitExit(impl(self))
export { await_ as await }

/** A `timeout` that is not a duration is a defect naming the function (docs/concepts.md, "Options are checked"). */
const dieOnInvalidTimeout = (
  where: string,
  options: { readonly timeout?: Duration.Input | undefined } | undefined
): Effect.Effect<never> | undefined => {
  const invalid = options?.timeout === undefined ? undefined : invalidTimeout(where, options.timeout)
  return invalid === undefined ? undefined : Effect.die(invalid)
}

const withTimeout = <A, E>(
  effect: Effect.Effect<A, E>,
  options: WaitOptions | undefined,
  future: internal.FutureImpl<any, any>
): Effect.Effect<A, E | TimeoutError> => {
  const timeout = options?.timeout
  if (timeout === undefined) return effect
  const timedOut = Effect.fail(
    new TimeoutError(`the future was not done within ${Duration.format(Duration.fromInputUnsafe(timeout))}`)
  )
  // Stopping waits until the task has ended, as `Future.interrupt` does.
  const orElse = (): Effect.Effect<never, TimeoutError> =>
    options?.interrupt === true ? Effect.andThen(internal.interrupt(future), timedOut) : timedOut
  const millis = Duration.toMillis(Duration.fromInputUnsafe(timeout))
  return Effect.clockWith((clock) => {
    const deadline = clock.currentTimeMillisUnsafe() + millis
    // A synchronous task holds the one JavaScript thread past the deadline, so the timer fires only after the
    // future is done: the wait also reads the clock when it wakes up, and a future done late was not done in time.
    const late = () => clock.currentTimeMillisUnsafe() > deadline
    return Effect.timeoutOrElse(
      Effect.matchCauseEffect(effect, {
        onSuccess: (value): Effect.Effect<A, TimeoutError> => (late() ? orElse() : Effect.succeed(value)),
        onFailure: (cause): Effect.Effect<never, E | TimeoutError> => (late() ? orElse() : Effect.failCause(cause))
      }),
      { duration: timeout, orElse }
    )
  })
}

const isFutureArgument = (args: IArguments) => isFuture(args[0])

/**
 * Waits for the future, then succeeds with its value or fails with its typed error (Python's `result`). A
 * cancelled future fails with `CancelledError`; a defect is re-raised as a defect. With `timeout`, fails with
 * `TimeoutError` if the future is not done in time, without changing it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.succeed(42).pipe(Effect.delay("1 second")))
 *   return yield* Future.result(future, { timeout: "5 seconds" }) // 42
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const result: {
  (options?: WaitOptions): <A, E>(self: Future<A, E>) => Effect.Effect<A, E | CancelledError | TimeoutError>
  <A, E>(self: Future<A, E>, options?: WaitOptions): Effect.Effect<A, E | CancelledError | TimeoutError>
} = dual(
  isFutureArgument,
  <A, E>(self: Future<A, E>, options?: WaitOptions): Effect.Effect<A, E | CancelledError | TimeoutError> =>
    // A done future keeps its exit forever, so its exit (an Effect) is already the whole answer.
    dieOnInvalidTimeout("Future.result", options) ??
    impl(self).exit ??
    withTimeout(
      Effect.suspend(() => impl(self).exit ?? Effect.flatten(internal.awaitExit(impl(self)))),
      options,
      impl(self)
    )
)

/**
 * Waits for the future, then succeeds with its typed error, if any, without raising it (Python's
 * `exception`). A cancelled future fails with `CancelledError`; a defect is re-raised as a defect (an
 * `Option<E>` cannot hold one).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.fail("out of stock"))
 *   return yield* Future.exception(future) // Option.some("out of stock")
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const exception: {
  (options?: WaitOptions): <A, E>(self: Future<A, E>) => Effect.Effect<Option.Option<E>, CancelledError | TimeoutError>
  <A, E>(self: Future<A, E>, options?: WaitOptions): Effect.Effect<Option.Option<E>, CancelledError | TimeoutError>
} = dual(
  isFutureArgument,
  <A, E>(self: Future<A, E>, options?: WaitOptions): Effect.Effect<Option.Option<E>, CancelledError | TimeoutError> =>
    dieOnInvalidTimeout("Future.exception", options) ??
    withTimeout(
      Effect.flatMap(await_(self), (exit): Effect.Effect<Option.Option<E>, CancelledError> => {
        if (Exit.isSuccess(exit)) return Effect.succeed(Option.none())
        if (impl(self).state === "cancelled") return exit as Exit.Exit<never, CancelledError>
        const error = Cause.findErrorOption(exit.cause)
        return Option.isSome(error)
          ? Effect.succeed(error as Option.Option<E>)
          : Effect.failCause(exit.cause as Cause.Cause<never>)
      }),
      options,
      impl(self)
    )
)

/**
 * Cancels the future if it has not started, with Python's rule exactly: `true` if it was pending (it is now
 * cancelled, its callbacks have run and its task never starts) or was already cancelled; `false` if it is
 * running or done. To stop a running task too, use {@link interrupt}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.make<number>()
 *   return yield* Future.cancel(future) // true
 * })
 * ```
 *
 * @since 0.1.0
 * @category cancellation
 */
export const cancel = <A, E>(self: Future<A, E>): Effect.Effect<boolean> => internal.cancel(impl(self))

/**
 * Beyond Python: cancels a pending future, or interrupts a running task's fiber (in a worker pool, inside
 * the worker), then waits until the task has ended. `true` if the future ended cancelled.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.never)
 *   yield* Effect.sleep("10 millis")
 *   return yield* Future.interrupt(future) // true, while Future.cancel would return false
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category cancellation
 */
export const interrupt = <A, E>(self: Future<A, E>): Effect.Effect<boolean> => internal.interrupt(impl(self))

/**
 * Registers a callback that runs once the future is done, or at once (before this returns) if it already
 * is. Callbacks run in registration order, in the fiber that completes the future, after its waiters are
 * woken; a callback that fails or dies is logged and never affects the future or the other callbacks.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(Effect.succeed(42))
 *   yield* Future.addDoneCallback(future, (done) =>
 *     Effect.flatMap(Future.result(done), (value) => Effect.log(`got ${value}`)).pipe(Effect.ignore)
 *   )
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category callbacks
 */
export const addDoneCallback: {
  <A, E>(callback: DoneCallback<A, E>): (self: Future<A, E>) => Effect.Effect<void>
  <A, E>(self: Future<A, E>, callback: DoneCallback<A, E>): Effect.Effect<void>
} = dual(2, <A, E>(self: Future<A, E>, callback: DoneCallback<A, E>) =>
  internal.addDoneCallback(impl(self), callback as internal.DoneCallback<A, E>)
)

/**
 * Options of {@link asCompleted}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AsCompletedOptions {
  /** Counted from when the stream starts; the stream then fails with `TimeoutError`. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * The futures as a `Stream`, in completion order (Python's `as_completed`): those already done first,
 * then each as it ends; a future given twice is yielded once. With `timeout` (counted from when the stream
 * starts) the stream fails with `TimeoutError` after yielding every future that finished in time. The
 * stream is lazy; interrupting it does not cancel the futures.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const futures = yield* Effect.forEach([30, 10, 20], (ms) =>
 *     Executor.submit(Effect.succeed(ms).pipe(Effect.delay(ms)))
 *   )
 *   yield* Future.asCompleted(futures).pipe(
 *     Stream.mapEffect((future) => Future.result(future)),
 *     Stream.runForEach((ms) => Effect.log(ms)) // 10, 20, 30
 *   )
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const asCompleted = <F extends Future<any, any>>(
  futures: Iterable<F>,
  options?: AsCompletedOptions
): Stream.Stream<F, TimeoutError> => {
  const invalid = dieOnInvalidTimeout("Future.asCompleted", options)
  return invalid === undefined ? combinators.asCompleted(futures, options) : Stream.fromEffect(invalid)
}

/**
 * When {@link wait} returns: at the first future done, at the first that fails (or when all are done), or
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
  readonly returnWhen?: ReturnWhen | undefined
  /** After this long, return the split as it is; `wait` never fails. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * Waits until `returnWhen` holds (default `"ALL_COMPLETED"`) or the timeout elapses, then splits the futures
 * into done and not done (Python's `wait`). `"FIRST_EXCEPTION"` returns at the first failure or defect (a
 * cancellation counts as done, not as an exception), or when all are done.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const fast = yield* Executor.submit(Effect.succeed("fast"))
 *   const slow = yield* Executor.submit(Effect.never)
 *   const { done, notDone } = yield* Future.wait([fast, slow], { returnWhen: "FIRST_COMPLETED" })
 *   return [done.size, notDone.size] // [1, 1]
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const wait = <F extends Future<any, any>>(
  futures: Iterable<F>,
  options?: WaitForOptions
): Effect.Effect<{ readonly done: ReadonlySet<F>; readonly notDone: ReadonlySet<F> }> =>
  dieOnInvalidTimeout("Future.wait", options) ??
  (options?.returnWhen === undefined || returnWhens.includes(options.returnWhen)
    ? combinators.wait(futures, options)
    : Effect.die(
        illegalOption("Future.wait", "returnWhen", returnWhens.map((r) => `"${r}"`).join(" or "), options.returnWhen)
      ))

const returnWhens: ReadonlyArray<ReturnWhen> = ["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"]

/**
 * Options of {@link fromPromise}.
 *
 * @since 0.1.0
 * @category models
 */
export interface FromPromiseOptions<E> {
  /** Maps a rejection to the typed error; without it, a rejection becomes `UnknownError`. */
  readonly catch?: ((error: unknown) => E) | undefined
}

/**
 * Bridge in: starts `evaluate(signal)` now and returns its future (Python's `asyncio.run_coroutine_threadsafe`:
 * async work in, a future out). Interrupting the future aborts the `AbortSignal`. The future is not a child of
 * the caller: it lives until it is done or interrupted.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.fromPromise((signal) => fetch("https://example.com", { signal }))
 *   return yield* Future.result(future)
 * })
 * ```
 *
 * @since 0.1.0
 * @category bridges
 */
export const fromPromise: {
  <A>(evaluate: (signal: AbortSignal) => PromiseLike<A>): Effect.Effect<Future<A, UnknownError>>
  <A, E>(
    evaluate: (signal: AbortSignal) => PromiseLike<A>,
    options: FromPromiseOptions<E> & { readonly catch: (error: unknown) => E }
  ): Effect.Effect<Future<A, E>>
} = <A, E>(
  evaluate: (signal: AbortSignal) => PromiseLike<A>,
  options?: FromPromiseOptions<E>
): Effect.Effect<Future<A, E | UnknownError>> => {
  const onReject: (error: unknown) => E | UnknownError = options?.catch ?? UnknownError.fromThrown
  return runDetached<A, E | UnknownError>(Effect.tryPromise({ try: evaluate, catch: onReject }))
}

/**
 * Options of {@link fromSync}.
 *
 * @since 0.1.0
 * @category models
 */
export interface FromSyncOptions<E> {
  /** Maps a thrown value to the typed error; without it, a throw becomes `UnknownError`. */
  readonly catch?: ((error: unknown) => E) | undefined
}

/**
 * Bridge in for a plain synchronous function: runs it in a new fiber and returns its future. A throw
 * becomes the typed error given by `catch`, else `UnknownError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Future.fromSync(() => JSON.parse("{\"ok\":true}") as { ok: boolean })
 *   return yield* Future.result(future) // { ok: true }
 * })
 * ```
 *
 * @since 0.1.0
 * @category bridges
 */
export const fromSync: {
  <A>(thunk: () => A): Effect.Effect<Future<A, UnknownError>>
  <A, E>(
    thunk: () => A,
    options: FromSyncOptions<E> & { readonly catch: (error: unknown) => E }
  ): Effect.Effect<Future<A, E>>
} = <A, E>(thunk: () => A, options?: FromSyncOptions<E>): Effect.Effect<Future<A, E | UnknownError>> => {
  const onThrow: (error: unknown) => E | UnknownError = options?.catch ?? UnknownError.fromThrown
  return runDetached<A, E | UnknownError>(Effect.try({ try: thunk, catch: onThrow }))
}

const runDetached = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<Future<A, E>> =>
  Effect.withFiber((fiber) => {
    const future = new FiberFuture<A, E>()
    internal.setRunningUnsafe(future)
    startTaskUnsafe(future, effect, fiber.context, constVoid)
    return Effect.succeed(future as unknown as Future<A, E>)
  })

/**
 * Bridge out for code outside Effect: a Promise that resolves with the future's value or rejects with its
 * stored error (a `CancelledError` when cancelled, the defect when it died).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@effect-futures/core"
 *
 * const future = await Effect.runPromise(Future.fromSync(() => 6 * 7))
 * const value: number = await Future.toPromise(future) // 42
 * ```
 *
 * @since 0.1.0
 * @category bridges
 */
export const toPromise = <A, E>(self: Future<A, E>): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const future = impl(self)
    const settle = () => {
      const exit = future.exit!
      if (Exit.isSuccess(exit)) resolve(exit.value)
      else reject(Cause.squash(exit.cause))
    }
    if (internal.isDone(future)) settle()
    else internal.addListener(future, settle)
  })
