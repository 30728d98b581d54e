/**
 * A task that runs in a fiber of this process (the fiber pool, `Future.fromSync` / `fromPromise`): its start,
 * the observation of its fiber, and the settling of its future when the fiber ends. The fields only such a
 * task needs live on {@link FiberFuture}, not on every future.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { finishUnsafe, FutureImpl, isExit, runCallbacks } from "./future.ts"

/**
 * A future whose task runs in a fiber of this process.
 *
 * @internal
 */
export class FiberFuture<A, E> extends FutureImpl<A, E> {
  /**
   * The fiber running the task, until the task ends (even when the future was completed by hand first);
   * `Future.interrupt` interrupts it when no `interruptor` is set.
   */
  fiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  /**
   * Set while the task's first step runs on the current stack, before its fiber is known: `true` once an
   * interrupt was asked for then, which is applied as soon as that step returns.
   */
  interruptWhenStarted: boolean | undefined = undefined

  override stopTask(): Effect.Effect<void> | undefined {
    if (this.interruptWhenStarted !== undefined) {
      // Asked from inside the task's first step (by code it woke up): applied when that step returns.
      this.interruptWhenStarted = true
      return Effect.void
    }
    return this.interruptor ?? (this.fiber === undefined ? undefined : Fiber.interrupt(this.fiber))
  }
}

/**
 * Whether the task's fiber is still going (the future may be done, completed by hand): then its end is still
 * to come.
 *
 * @internal
 */
export const taskGoesOn = (future: FiberFuture<any, any>): boolean =>
  future.fiber !== undefined || future.interruptWhenStarted !== undefined

/**
 * Runs `effect` as the future's task in a new fiber with `context`, started at once on this JavaScript stack
 * as `Effect.forEach` starts its elements: no scheduler hop, and no fiber at all for a task that is already
 * an `Exit`. `fork` must be `Effect.runForkWith(context)` (a caller may keep one per context). The fiber is a root fiber, not a child of the caller: it lives until the task ends or is
 * interrupted. When the future is done and its due callbacks have run, `onEnd` is called, unless all of that
 * happened before this returns: see {@link TaskStart}.
 *
 * @internal
 */
export const startTaskUnsafe = <A, E>(
  future: FiberFuture<A, E>,
  effect: Effect.Effect<A, E>,
  context: Context.Context<never>,
  onEnd: TaskEnd,
  fork: (effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E> = Effect.runForkWith(context)
): TaskStart => {
  if (isExit(effect)) return settle(future, effect, context, onEnd)
  future.interruptWhenStarted = false
  const fiber = fork(effect)
  const interruptNow = future.interruptWhenStarted
  future.interruptWhenStarted = undefined
  const exit = fiber.pollUnsafe()
  if (exit !== undefined) return settle(future, exit, context, onEnd)
  observeTaskUnsafe(future, fiber, context, onEnd)
  if (interruptNow) fiber.interruptUnsafe()
  return TaskStart.Running
}

/** Told when a task has ended and its due callbacks have run. */
export type TaskEnd = (future: FiberFuture<any, any>) => void

/**
 * Hands the future the fiber that runs its task, which goes on asynchronously: the future completes when the
 * fiber ends, then its due callbacks run, then `onEnd` is called.
 *
 * @internal
 */
export const observeTaskUnsafe = <A, E>(
  future: FiberFuture<A, E>,
  fiber: Fiber.Fiber<A, E>,
  context: Context.Context<never>,
  onEnd: TaskEnd
): void => {
  future.fiber = fiber
  fiber.addObserver((exit) => {
    if (settle(future, exit, context, onEnd) !== TaskStart.Running) onEnd(future)
  })
}

/**
 * What {@link startTaskUnsafe} left behind. `Ended`: the task and its due callbacks are done; `Running`:
 * `onEnd` will be called.
 *
 * @internal
 */
export const TaskStart = { Running: 0, Ended: 1 } as const

/** @internal */
export type TaskStart = (typeof TaskStart)[keyof typeof TaskStart]

/** Completes the future with its task's exit and runs the callbacks now due, in a fiber of their own. */
const settle = <A, E>(
  future: FiberFuture<A, E>,
  exit: Exit.Exit<A, E>,
  context: Context.Context<never>,
  onEnd: TaskEnd
): TaskStart => {
  future.fiber = undefined
  const callbacks = finishUnsafe(future, exit)
  // Completed by hand (Future.complete) while it ran: the task's own exit has nowhere to go.
  if (!Array.isArray(callbacks) || callbacks.length === 0) return TaskStart.Ended
  const fiber = Effect.runForkWith(context)(runCallbacks(future, callbacks))
  if (fiber.pollUnsafe() !== undefined) return TaskStart.Ended
  fiber.addObserver(() => onEnd(future))
  return TaskStart.Running
}
