import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { pipeArguments } from "effect/Pipeable"
import type * as Types from "effect/Types"
import { CancelledError, InvalidStateError } from "../FutureError.ts"
import { exitAtEnd, type TaskControl } from "./taskControl.ts"

/** @internal */
export const TypeId = "~@effect-futures/core/Future" as const

/** @internal */
export type State = "pending" | "running" | "succeeded" | "failed" | "cancelled"

/** @internal */
export type DoneCallback<A, E> = (future: FutureImpl<A, E>) => void | Effect.Effect<void, unknown>

/** @internal */
export type Listener = (future: FutureImpl<any, any>) => void

let nextId = 0

/**
 * One future's state machine. JavaScript runs one fiber step at a time, so every transition below is a
 * synchronous function: it plays the role of the lock CPython's `_base.Future` takes around each change.
 *
 * @internal
 */
export class FutureImpl<A, E> {
  declare readonly [TypeId]: { readonly _A: Types.Covariant<A>; readonly _E: Types.Covariant<E> }
  readonly id = ++nextId
  state: State = "pending"
  exit: Exit.Exit<A, E | CancelledError> | undefined = undefined
  /** Told first when the future ends: the executor that owns it. */
  owner: Listener | undefined = undefined
  /** When the task was handed to a worker (`performance.now()`), for the run-time metric. */
  startedAt: number | undefined = undefined
  /** Its index in its executor's array of running futures (`lifecycle.ts`), while its task runs. */
  runIndex = -1
  /** Done callbacks not yet run, in registration order (allocated by the first one). */
  callbacks: Array<DoneCallback<A, E>> | undefined = undefined
  /** Internal waiters (wait, asCompleted, toPromise, executors), told synchronously when the future ends. */
  listeners: Set<Listener> | undefined = undefined
  /** Stops the running task; set by whoever runs it (`Future.setInterruptHandler`, a worker pool). */
  interruptor: Effect.Effect<void> | undefined = undefined
  /**
   * Its timeout, id, span and retry attempt, when it was submitted with any (`taskControl.ts`). Declared on the
   * prototype (see below): most futures have none, and one more own field measurably slows the tiniest tasks.
   */
  declare control: TaskControl | undefined

  /**
   * Starts stopping the running task, for `Future.interrupt`: `undefined` when there is no task to stop (a
   * future driven by hand). A future whose task runs in a fiber of this process overrides it (`taskFiber.ts`).
   */
  stopTask(): Effect.Effect<void> | undefined {
    return this.interruptor
  }

  /**
   * Whether `cancel` stops it although it is `running`: only a retried future between two attempts, when no
   * task runs (`retry.ts`).
   */
  cancelsWhileRunning(): boolean {
    return false
  }

  pipe() {
    return pipeArguments(this, arguments)
  }
  toString() {
    return `Future(${this.id}, ${this.state})`
  }
  toJSON() {
    return { _id: "Future", id: this.id, state: this.state }
  }
  [Symbol.for("nodejs.util.inspect.custom")]() {
    return this.toJSON()
  }
}

Object.defineProperty(FutureImpl.prototype, "control", { value: undefined, writable: true })
// On the prototype, not on each future: one object fewer per task.
Object.defineProperty(FutureImpl.prototype, TypeId, { value: { _A: (a: never) => a, _E: (e: never) => e } })

/** @internal */
export const isFuture = (u: unknown): u is FutureImpl<unknown, unknown> =>
  typeof u === "object" && u !== null && TypeId in u

/**
 * `Exit.isExit` for a value known to be an Effect: the same type id check (the id is declared in effect's
 * `Exit.d.ts`), without `Predicate.hasProperty`'s argument dispatch, on the path of every in-process task.
 *
 * @internal
 */
export const isExit = <A, E, R>(effect: Effect.Effect<A, E, R>): effect is Exit.Exit<A, E> & Effect.Effect<A, E, R> =>
  "~effect/Exit" in effect

/** @internal */
export const isDone = (future: FutureImpl<any, any>): boolean =>
  future.state !== "pending" && future.state !== "running"

/** @internal */
export const addListener = (future: FutureImpl<any, any>, listener: Listener): void => {
  ;(future.listeners ??= new Set()).add(listener)
}

/** @internal */
export const removeListener = (future: FutureImpl<any, any>, listener: Listener): void => {
  future.listeners?.delete(listener)
}

/**
 * pending → running. `"cancelled"` when the future was cancelled while it waited (the task must not
 * start); an `InvalidStateError` when it is already running or done.
 *
 * @internal
 */
export const setRunningUnsafe = (future: FutureImpl<any, any>): "running" | "cancelled" | InvalidStateError => {
  switch (future.state) {
    case "pending":
      future.state = "running"
      return "running"
    case "cancelled":
      return "cancelled"
    default:
      return new InvalidStateError({ message: `cannot start a future that is ${future.state}`, state: future.state })
  }
}

const noCallbacks: Array<never> = []

const cancelledExit = Exit.fail(new CancelledError({ message: "the future was cancelled" }))

/**
 * A task's exit as its future holds it: an exit that holds only interruptions is a `CancelledError`, never a
 * bare interruption.
 *
 * @internal
 */
export const futureExit = <A, E>(exit: Exit.Exit<A, E>): Exit.Exit<A, E | CancelledError> =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? cancelledExit : exit

/**
 * The terminal state of a future with this exit (one made by {@link futureExit}).
 *
 * @internal
 */
export const stateOf = (exit: Exit.Exit<unknown, unknown>): "succeeded" | "failed" | "cancelled" =>
  Exit.isSuccess(exit) ? "succeeded" : exit === cancelledExit ? "cancelled" : "failed"

/**
 * Moves a pending or running future to its terminal state, wakes its waiters and returns the callbacks
 * that are now due. An exit that holds only interruptions makes the future cancelled: cancellation is a
 * typed `CancelledError`, never a bare interruption.
 *
 * @internal
 */
export const finishUnsafe = <A, E>(
  future: FutureImpl<A, E>,
  exit: Exit.Exit<A, E>
): Array<DoneCallback<A, E>> | InvalidStateError => {
  if (isDone(future)) {
    return new InvalidStateError({ message: `cannot complete a future that is ${future.state}`, state: future.state })
  }
  future.exit = futureExit(exit)
  // Past its submit timeout's deadline a future ends with that TimeoutError, whatever the task answered.
  const control = future.control
  if (control !== undefined) future.exit = exitAtEnd(control, future.exit) as Exit.Exit<A, E | CancelledError>
  future.state = stateOf(future.exit)
  const listeners = future.listeners
  future.listeners = undefined
  future.interruptor = undefined
  future.owner?.(future)
  if (listeners !== undefined) {
    for (const listener of listeners) listener(future)
  }
  const callbacks = future.callbacks ?? noCallbacks
  future.callbacks = undefined
  return callbacks
}

const runCallback = <A, E>(future: FutureImpl<A, E>, callback: DoneCallback<A, E>): Effect.Effect<void> =>
  Effect.suspend(() => {
    const result = callback(future)
    return Effect.isEffect(result) ? Effect.asVoid(result) : Effect.void
  }).pipe(Effect.catchCause((cause) => Effect.logError(`a done callback of ${future} failed`, cause)))

/**
 * Runs due callbacks one after another; a failing one is logged and the rest still run.
 *
 * @internal
 */
export const runCallbacks = <A, E>(
  future: FutureImpl<A, E>,
  callbacks: ReadonlyArray<DoneCallback<A, E>>
): Effect.Effect<void> => {
  if (callbacks.length === 0) return Effect.void
  if (callbacks.length === 1) return Effect.uninterruptible(runCallback(future, callbacks[0]!))
  return Effect.uninterruptible(
    Effect.forEach(callbacks, (callback) => runCallback(future, callback), { discard: true })
  )
}

/** @internal */
export const complete = <A, E>(
  future: FutureImpl<A, E>,
  exit: Exit.Exit<A, E>
): Effect.Effect<void, InvalidStateError> =>
  Effect.suspend(() => {
    const callbacks = finishUnsafe(future, exit)
    return Array.isArray(callbacks) ? runCallbacks(future, callbacks) : Effect.fail(callbacks)
  })

/**
 * Python's `cancel`: only a pending future can be cancelled; a cancelled one stays cancelled.
 *
 * @internal
 */
export const cancel = <A, E>(future: FutureImpl<A, E>): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    switch (future.state) {
      case "pending": {
        const callbacks = finishUnsafe(future, Exit.interrupt()) as Array<DoneCallback<A, E>>
        return Effect.as(runCallbacks(future, callbacks), true)
      }
      case "cancelled":
        return Effect.succeed(true)
      case "running":
        return future.cancelsWhileRunning() ? interrupt(future) : Effect.succeed(false)
      default:
        return Effect.succeed(false)
    }
  })

/** @internal */
export const interrupt = <A, E>(future: FutureImpl<A, E>): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    switch (future.state) {
      case "pending":
        return cancel(future)
      case "running": {
        const stopping = future.stopTask()
        // A future driven by hand (Future.make + setRunning) has no task to stop.
        if (stopping === undefined) return Effect.succeed(false)
        return stopping.pipe(
          Effect.andThen(awaitExit(future)),
          Effect.map(() => future.state === "cancelled")
        )
      }
      default:
        return Effect.succeed(future.state === "cancelled")
    }
  })

/** @internal */
export const addDoneCallback = <A, E>(future: FutureImpl<A, E>, callback: DoneCallback<A, E>): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (isDone(future)) return runCallbacks(future, [callback])
    ;(future.callbacks ??= []).push(callback)
    return Effect.void
  })

/**
 * Waits for the future's exit; interrupting the waiter only stops the waiting.
 *
 * @internal
 */
export const awaitExit = <A, E>(future: FutureImpl<A, E>): Effect.Effect<Exit.Exit<A, E | CancelledError>> =>
  Effect.suspend(() =>
    future.exit !== undefined
      ? Effect.succeed(future.exit)
      : Effect.callback<Exit.Exit<A, E | CancelledError>>((resume) => {
          const onDone = () => resumeWaiter(resume, Effect.succeed(future.exit!))
          addListener(future, onDone)
          return Effect.sync(() => removeListener(future, onDone))
        })
  )

/** Waiters being resumed inside one another on the current JavaScript stack. */
let nestedResumes = 0

/**
 * Resumes a fiber that waits for a future. Effect resumes a waiting fiber on the caller's stack, so a chain of
 * futures that wait for one another (a task awaiting a task it submitted, thousands deep) would finish
 * recursively and overflow the stack; past a small depth the fiber resumes with a yield to its scheduler.
 *
 * @internal
 */
export const resumeWaiter = <A, E>(resume: (effect: Effect.Effect<A, E>) => void, effect: Effect.Effect<A, E>) => {
  if (nestedResumes >= 32) return resume(Effect.andThen(Effect.yieldNow, effect))
  nestedResumes++
  try {
    resume(effect)
  } finally {
    nestedResumes--
  }
}
