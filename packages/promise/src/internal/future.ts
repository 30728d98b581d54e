/**
 * The `Future` object of the Promise executors: a thin handle on one of core's futures (the state machine
 * lives there, `@effect-futures/core/internal/future`), read synchronously and waited on with Promises.
 *
 * A task submitted before its executor is ready gets a *stand-in*: a core future of its own that the user
 * sees, until the executor's own future (`target`) exists; from then on the stand-in follows the target
 * (see {@link follow}) and cancel / interrupt go to the target.
 *
 * @internal
 */
import { Future as CoreFuture, FutureError } from "@effect-futures/core"
import { invalidTimeout, maxTimerMillis } from "@effect-futures/core/internal/validate"
import {
  addListener,
  finishUnsafe,
  type FutureImpl,
  isDone,
  removeListener,
  runCallbacks
} from "@effect-futures/core/internal/future"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * How long to wait: milliseconds, or a duration such as `"5 seconds"`.
 *
 * @since 0.1.0
 * @category models
 */
export type Timeout = Duration.Input

/**
 * Options of `Future.result` and `Future.exception`.
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** Reject with `TimeoutError` if the future is not done by then; the future itself is unchanged. */
  readonly timeout?: Timeout | undefined
}

/**
 * A function that gets the future once it is done.
 *
 * @since 0.1.0
 * @category models
 */
export type DoneCallback<A, E> = (future: Future<A, E>) => unknown

/** Set by the class below (its constructor is private). @internal */
export let makeFuture: <A, E>(core: FutureImpl<A, E>) => Future<A, E>
/** The future the user observes (the stand-in, for a task submitted before its executor was ready). @internal */
export let coreOf: <A, E>(future: Future<A, E>) => FutureImpl<A, E>
/** @internal */
export let setTarget: <A, E>(future: Future<A, E>, target: FutureImpl<A, E>) => void

/**
 * A handle to one submitted task (Python's `concurrent.futures.Future`): query it at once (`done()`,
 * `running()`, `cancelled()`), wait for it with Promises (`result()`, `exception()`), stop it (`cancel()`,
 * `interrupt()`), or be told when it ends (`addDoneCallback`). `E` is the type of the errors its `result()`
 * rejects with besides `CancelledError` and `TimeoutError`.
 *
 * @example
 * ```ts
 * import { AsyncPoolExecutor, type Future } from "@effect-futures/promise"
 *
 * await using executor = new AsyncPoolExecutor({ maxWorkers: 4 })
 * const future: Future<number> = executor.submit(async () => 6 * 7)
 * console.log(await future.result()) // 42
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Future<A, E = unknown> {
  /** What the user observes: the executor's future, or the stand-in of a task submitted before it was ready. */
  #core: FutureImpl<A, E>
  /** The executor's future when `#core` is a stand-in; then cancel and interrupt go here. */
  #target: FutureImpl<A, E> | undefined = undefined

  private constructor(core: FutureImpl<A, E>) {
    this.#core = core
  }

  static {
    makeFuture = (core) => new Future(core)
    coreOf = (future) => future.#core
    setTarget = (future, target) => {
      future.#target = target
    }
  }

  /** Whether the task ended: with a value, an error, or cancelled (Python's `done`). */
  done(): boolean {
    return isDone(this.#core)
  }

  /** Whether the task is running now (Python's `running`). */
  running(): boolean {
    return !isDone(this.#core) && (this.#target ?? this.#core).state === "running"
  }

  /** Whether the future was cancelled (Python's `cancelled`). */
  cancelled(): boolean {
    return this.#core.state === "cancelled"
  }

  /**
   * Python's `cancel`, synchronously: `true` if the task had not started (it never will, and the done callbacks
   * have run) or was already cancelled; `false` if it is running or done. To stop a running task, use
   * {@link Future.interrupt}.
   */
  cancel(): boolean {
    return cancelNow(this.#target ?? this.#core)
  }

  /**
   * Beyond Python: cancels the task if it has not started, or stops it if it runs (an async function's
   * `AbortSignal` aborts; a worker's task is interrupted there), then resolves once it has ended: `true` if
   * the future ended cancelled.
   */
  interrupt(): Promise<boolean> {
    return Effect.runPromise(CoreFuture.interrupt(this.#target ?? this.#core))
  }

  /**
   * Waits for the task, then resolves with its value or rejects with its error (Python's `result`): the task's
   * own error (the same class), `CancelledError` if it was cancelled, `TimeoutError` if `timeout` elapses first.
   */
  result(options?: WaitOptions): Promise<A> {
    return waitFor(this.#core, options, resultOf, "future.result")
  }

  /**
   * Waits for the task, then resolves with its error, or `undefined` if it succeeded (Python's `exception`).
   * Rejects with `CancelledError` if it was cancelled, `TimeoutError` if `timeout` elapses first, and with a
   * defect (a task that died, not one that failed with its typed error).
   */
  exception(options?: WaitOptions): Promise<E | undefined> {
    return waitFor(this.#core, options, exceptionOf, "future.exception")
  }

  /**
   * Calls `callback(future)` once the task ends, or at once if it has (Python's `add_done_callback`).
   * Callbacks run in the order they were added; one that throws or rejects is logged and changes nothing else.
   */
  addDoneCallback(callback: DoneCallback<A, E>): void {
    const onDone = (): void | Effect.Effect<void, unknown> => {
      const returned = callback(this)
      if (isThenable(returned)) return Effect.tryPromise(() => returned)
    }
    Effect.runFork(CoreFuture.addDoneCallback(this.#core as never, onDone))
  }

  /** `Future(<id>, <state>)`. */
  toString(): string {
    return `Future(${this.#core.id}, ${this.#core.state})`
  }

  /** What `console.log` shows: the id and the state (the fields are private). */
  [Symbol.for("nodejs.util.inspect.custom")](): { readonly id: number; readonly state: string } {
    return { id: this.#core.id, state: this.#core.state }
  }
}

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as { then?: unknown }).then === "function"

/**
 * Python's `cancel` on a core future, run at once: a pending future is finished as cancelled here (its due
 * callbacks start on this stack and finish here unless one of them is asynchronous).
 *
 * @internal
 */
export const cancelNow = (future: FutureImpl<any, any>): boolean => {
  switch (future.state) {
    case "pending":
      Effect.runFork(CoreFuture.cancel(future as never))
      return true
    case "cancelled":
      return true
    default:
      return false
  }
}

/**
 * Finishes a stand-in with `exit` and starts its due callbacks.
 *
 * @internal
 */
export const finishNow = <A, E>(future: FutureImpl<A, E>, exit: Exit.Exit<A, E>): void => {
  const callbacks = finishUnsafe(future, exit)
  if (Array.isArray(callbacks) && callbacks.length > 0) Effect.runFork(runCallbacks(future, callbacks))
}

/**
 * From now on the stand-in ends as the target ends, at the same moment (inside the target's transition, before
 * the target's own callbacks).
 *
 * @internal
 */
export const follow = <A, E>(standIn: FutureImpl<A, E>, target: FutureImpl<A, E>): void => {
  const onDone = () => {
    if (!isDone(standIn)) finishNow(standIn, target.exit! as Exit.Exit<A, E>)
  }
  if (isDone(target)) onDone()
  else addListener(target, onDone)
}

type Settle<A> = (
  exit: Exit.Exit<unknown, unknown>,
  resolve: (value: A) => void,
  reject: (error: unknown) => void
) => void

const resultOf: Settle<any> = (exit, resolve, reject) =>
  Exit.isSuccess(exit) ? resolve(exit.value) : reject(Cause.squash(exit.cause))

const exceptionOf: Settle<any> = (exit, resolve, reject) => {
  if (Exit.isSuccess(exit)) return resolve(undefined)
  const error = Cause.findErrorOption(exit.cause)
  // A cancelled future's error is CancelledError, which `exception` raises as Python's does.
  if (error._tag === "Some" && !(error.value instanceof FutureError.CancelledError)) return resolve(error.value)
  reject(Cause.squash(exit.cause))
}

const waitFor = <A>(
  future: FutureImpl<any, any>,
  options: WaitOptions | undefined,
  settle: Settle<A>,
  where: string
): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const invalid = options?.timeout === undefined ? undefined : invalidTimeout(where, options.timeout)
    if (invalid !== undefined) return reject(invalid)
    if (future.exit !== undefined) return settle(future.exit, resolve, reject)
    let timer: ReturnType<typeof setTimeout> | undefined
    const onDone = () => {
      if (timer !== undefined) clearTimeout(timer)
      settle(future.exit!, resolve, reject)
    }
    addListener(future, onDone)
    const timeout = options?.timeout === undefined ? undefined : Duration.fromInputUnsafe(options.timeout)
    // A timer longer than the platform's longest would fire at once: such a wait has no deadline to keep.
    if (timeout !== undefined && Duration.toMillis(timeout) <= maxTimerMillis) {
      timer = setTimeout(() => {
        removeListener(future, onDone)
        reject(new FutureError.TimeoutError(`the future was not done within ${Duration.format(timeout)}`))
      }, Duration.toMillis(timeout))
    }
  })
