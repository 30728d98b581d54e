/**
 * One executor's lifecycle, shared by every executor (the in-process fiber pool, the Node worker and process
 * pools, later the cluster client): whether it takes submits, its queue of work waiting for a worker, the
 * futures whose task runs, the signal that it has drained, its stats, and `shutdown` / scope close.
 *
 * The state is a plain record changed by the named transitions below, as in Effect's `Pool.ts`; its phase is a
 * tagged union, as `Queue.ts`'s is:
 *
 * ```
 * Open ──beginShutdown──▶ ShuttingDown(broken?) ──close──▶ Closed(broken?)
 *  └──breakExecutor──▶ Broken(error) ──beginShutdown──▶ ShuttingDown(error)
 * ```
 * (a shut-down or closed executor that breaks keeps its phase and records the error).
 *
 * How a pool plugs in:
 * 1. `make(hooks, options)` once, with the pool's callbacks ({@link Hooks}): `idle` (the pool holds no work
 *    any more: no task running, no worker about to take one, no callback in flight), `interrupt` (stop one
 *    running future's task; in a worker pool that interrupts it in the worker and kills the worker after its
 *    grace period), `stopWorkers` (release every worker once the tasks ended; nothing for the fiber pool), and
 *    optionally `onShutdown` (the lifecycle left `Open`: wake submitters waiting for room, retire idle
 *    workers).
 * 2. Each submit asks {@link admit}; a future is made with `owner` set to the pool's own done listener, which
 *    calls {@link futureEnded} (plus whatever the pool keeps itself, e.g. freeing a worker).
 * 3. Work that waits goes through {@link enqueue} and comes back with {@link takeQueued} (skipping items whose
 *    future was cancelled while queued); when a task starts the pool sets `future.startedAt` (the marker of a
 *    started task, also the run-time metric's start) and, if it can be interrupted, {@link addRunning}; when
 *    its task has ended, {@link removeRunning}.
 * 4. Whenever the pool may have become idle it calls {@link notifyIfDrained}.
 * 5. A pool that completes futures from its own events (a worker's reply, a worker's death) collects them with
 *    {@link completeLater} while it changes its state and runs them with {@link flush} once it is consistent:
 *    a completed future resumes its waiters synchronously, and they may call back into the pool. A drain also
 *    waits for the done callbacks these completions started. (The fiber pool needs none: a future is completed
 *    by its own task's fiber, whose slot the pool's counts hold until the slot moves on.)
 * 6. `Executor.shutdown` is {@link shutdown}, the Layer's scope close is {@link close}; a pool that can no
 *    longer serve calls {@link breakExecutor} and fails the items it returns.
 *
 * Completions run after the record is consistent: every transition changes the record first and returns (or
 * runs last) what is due, so a future's done listener that calls back into the lifecycle sees it whole.
 *
 * @internal
 */
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type BrokenExecutorError, ExecutorShutdownError } from "../FutureError.ts"
import { cancel, finishUnsafe, type FutureImpl, interrupt, runCallbacks } from "./future.ts"
import { closeExecutor } from "./scopeClose.ts"
import { StatsTracker } from "./stats.ts"
import * as TaskControl from "./taskControl.ts"
import { WorkQueue } from "./workQueue.ts"

/**
 * Where an executor is in its life. `Open`: it takes submits. `Broken`: it cannot serve (a worker cannot start,
 * the initializer failed); submits are taken and fail with the error. `ShuttingDown`: no more submits; queued
 * work still runs unless cancelled. `Closed`: its scope is closing or closed; every task has ended, and the
 * workers are being stopped (no worker is replaced any more). A broken executor that shuts down remembers
 * why it broke (`broken`).
 * @internal
 */
export type Phase =
  | { readonly _tag: "Open" }
  | { readonly _tag: "Broken"; readonly error: BrokenExecutorError }
  | { readonly _tag: "ShuttingDown"; readonly broken: BrokenExecutorError | undefined }
  | { readonly _tag: "Closed"; readonly broken: BrokenExecutorError | undefined }

const open: Phase = { _tag: "Open" }

/**
 * What a pool supplies: see the module's comment.
 * @internal
 */
export interface Hooks {
  /** The pool holds no work: nothing runs, no worker is about to take a task, no completion is in flight. */
  readonly idle: () => boolean
  /** Stops one running future's task and waits until it has ended ("interrupt running"). */
  readonly interrupt?: ((future: FutureImpl<any, any>) => Effect.Effect<void>) | undefined
  /** Releases every worker once the tasks have ended ("stop workers"); runs uninterruptibly. */
  readonly stopWorkers?: Effect.Effect<void> | undefined
  /** Told once when the executor stops taking submits (before queued futures are cancelled). */
  readonly onShutdown?: (() => void) | undefined
}

/**
 * Work waiting in the queue: anything that holds the future it will complete.
 * @internal
 */
export interface Queued {
  readonly future: FutureImpl<any, any>
}

/**
 * One executor's lifecycle record. Read its fields freely; change them only through this module's functions.
 * @internal
 */
export interface Lifecycle<Item extends Queued> {
  phase: Phase
  readonly queue: WorkQueue<Item>
  /**
   * Futures admitted that have neither started nor ended: `stats.queued`. An item whose future is cancelled
   * while queued stays in `queue` until {@link takeQueued} skips it, but leaves this count at once.
   */
  queued: number
  /** Futures whose task runs (or may still run after the future was completed by hand), for `stop`. */
  readonly running: Array<FutureImpl<any, any>>
  /** Completed when the pool is idle; made by whoever waits for that. */
  drained: Deferred.Deferred<void> | undefined
  /** Futures and their `Exit`s, alternately, collected by {@link completeLater} for {@link flush}. */
  readonly due: Array<unknown>
  flushing: boolean
  /** Futures completed by {@link flush} whose done callbacks still run: the executor is not drained yet. */
  completing: number
  /** Runs the done callbacks of completions, in a fiber of their own. */
  readonly runFork: (effect: Effect.Effect<void>) => unknown
  readonly stats: StatsTracker
  readonly hooks: Hooks
  /** What its tasks' spans say of it, and whether they have spans at all. */
  readonly executor: TaskControl.ExecutorInfo
  /** Done when it stops taking submits (`whenShutdown`): a retry waiting for its next attempt stops then. */
  readonly shutdownSignal: Deferred.Deferred<void>
  /** What a task's elapsed timeout does (`expireTask`), made once per executor. */
  readonly expire: (future: FutureImpl<any, any>) => Effect.Effect<void>
}

/**
 * Options of {@link make}: what the stats are tagged with.
 * @internal
 */
export interface Options {
  readonly kind: string
  readonly name: string
  readonly maxWorkers: number
  readonly context: Context.Context<never>
  /** How {@link flush} forks done callbacks (default `Effect.runForkWith(context)`). */
  readonly runFork?: ((effect: Effect.Effect<void>) => unknown) | undefined
  /** Spans for its tasks (default `true`): `tracing: false` on the Layer. */
  readonly tracing?: boolean | undefined
}

/** @internal */
export const make = <Item extends Queued>(hooks: Hooks, options: Options): Lifecycle<Item> => {
  const lifecycle: Lifecycle<Item> = {
    phase: open,
    queue: new WorkQueue<Item>(),
    queued: 0,
    running: [],
    drained: undefined,
    due: [],
    flushing: false,
    completing: 0,
    runFork: options.runFork ?? Effect.runForkWith(options.context),
    stats: undefined as unknown as StatsTracker,
    hooks,
    executor: { kind: options.kind, name: options.name, tracing: options.tracing ?? true },
    shutdownSignal: Deferred.makeUnsafe<void>(),
    expire: (future) => Effect.sync(() => expireTask(lifecycle, future))
  }
  ;(lifecycle as { stats: StatsTracker }).stats = new StatsTracker(
    options.maxWorkers,
    () => lifecycle.queued,
    options.kind,
    options.context,
    options.name
  )
  return lifecycle
}

const shutdownError = () => new ExecutorShutdownError({ message: "cannot submit a task after the executor shut down" })

/**
 * May a submit be taken? `undefined`: yes. An `ExecutorShutdownError` after shutdown; the `BrokenExecutorError`
 * of a broken executor (a worker pool takes the submit and fails its future with it, as Python's broken pool
 * fails later submits).
 * @internal
 */
export const admit = (lifecycle: Lifecycle<any>): ExecutorShutdownError | BrokenExecutorError | undefined => {
  const phase = lifecycle.phase
  return phase._tag === "Open" ? undefined : phase._tag === "Broken" ? phase.error : shutdownError()
}

/** @internal */
export const isOpen = (lifecycle: Lifecycle<any>): boolean => lifecycle.phase._tag === "Open"

/**
 * `ExecutorShape.whenShutdown`: done once the executor takes no more submits.
 * @internal
 */
export const whenShutdown = (lifecycle: Lifecycle<any>): Effect.Effect<void> => Deferred.await(lifecycle.shutdownSignal)

/**
 * No more submits are taken (shut down or closed); a broken executor still takes them.
 * @internal
 */
export const isShutdown = (lifecycle: Lifecycle<any>): boolean =>
  lifecycle.phase._tag === "ShuttingDown" || lifecycle.phase._tag === "Closed"

/**
 * Why the executor broke, whatever happened since; `undefined` if it never broke.
 * @internal
 */
export const brokenError = (lifecycle: Lifecycle<any>): BrokenExecutorError | undefined => {
  const phase = lifecycle.phase
  return phase._tag === "Broken" ? phase.error : phase._tag === "Open" ? undefined : phase.broken
}

/**
 * Open (or Broken) → ShuttingDown; tells `onShutdown` the first time. Returns whether the phase changed.
 * @internal
 */
export const beginShutdown = (lifecycle: Lifecycle<any>): boolean => {
  const phase = lifecycle.phase
  if (phase._tag === "ShuttingDown" || phase._tag === "Closed") return false
  lifecycle.phase = { _tag: "ShuttingDown", broken: phase._tag === "Broken" ? phase.error : undefined }
  lifecycle.hooks.onShutdown?.()
  Deferred.doneUnsafe(lifecycle.shutdownSignal, Exit.void)
  return true
}

/**
 * The executor cannot serve (a worker cannot start, the initializer failed): Open → Broken(error); a shut
 * down or closed one remembers the error. Takes the queued items out (the count stays until each future ends)
 * and returns those still pending, for the pool to fail with `error` once its own state is consistent. Nothing
 * happens (an empty array) when it already broke.
 * @internal
 */
export const breakExecutor = <Item extends Queued>(
  lifecycle: Lifecycle<Item>,
  error: BrokenExecutorError
): Array<Item> =>
  markBroken(lifecycle, error) ? lifecycle.queue.takeAll().filter((item) => item.future.state === "pending") : []

/**
 * The phase part of {@link breakExecutor}, for a pool whose queued work fails by itself when it starts (the fiber
 * pool's initializer gate): the queue stays. Returns whether the executor broke now (false if it already had).
 * @internal
 */
export const markBroken = (lifecycle: Lifecycle<any>, error: BrokenExecutorError): boolean => {
  const phase = lifecycle.phase
  if (phase._tag === "Broken" || (phase._tag !== "Open" && phase.broken !== undefined)) return false
  lifecycle.phase = phase._tag === "Open" ? { _tag: "Broken", error } : { _tag: phase._tag, broken: error }
  return true
}

/**
 * Work that has not started may still be started: the executor is open, or shutting down without having
 * broken (queued tasks still run after `shutdown()`).
 * @internal
 */
export const isServing = (lifecycle: Lifecycle<any>): boolean =>
  lifecycle.phase._tag === "Open" || (lifecycle.phase._tag === "ShuttingDown" && lifecycle.phase.broken === undefined)

/** Any phase → Closed: the tasks have ended as the scope closes. */
const markClosed = (lifecycle: Lifecycle<any>): void => {
  lifecycle.phase = { _tag: "Closed", broken: brokenError(lifecycle) }
}

/**
 * Puts work in the queue; its future counts as queued until it starts or ends.
 * @internal
 */
export const enqueue = <Item extends Queued>(lifecycle: Lifecycle<Item>, item: Item): void => {
  lifecycle.queue.push(item)
  lifecycle.queued++
  lifecycle.stats.queueChanged()
}

/**
 * The next queued item, or `undefined`. An item whose future is no longer pending (cancelled while it waited)
 * is still returned, for the pool to skip (`setRunningUnsafe` says `"cancelled"`): it already left the count.
 * @internal
 */
export const takeQueued = <Item extends Queued>(lifecycle: Lifecycle<Item>): Item | undefined => {
  const item = lifecycle.queue.shift()
  if (item !== undefined && item.future.state === "pending") {
    lifecycle.queued--
    lifecycle.stats.queueChanged()
  }
  return item
}

/**
 * Registers a future whose task started, so `stop` can interrupt it. O(1): each future keeps its index. A pool
 * that hands tasks out ahead of their start (a worker's batch) calls {@link taskStarted} when each one starts;
 * otherwise `started` says it starts now.
 * @internal
 */
export const addRunning = (lifecycle: Lifecycle<any>, future: FutureImpl<any, any>, started = true): void => {
  future.runIndex = lifecycle.running.length
  lifecycle.running.push(future)
  if (started) taskStarted(lifecycle, future)
}

/**
 * The future's task starts executing (on `worker`): what its control asked for starts (its timeout, its span's
 * `started` event).
 * @internal
 */
export const taskStarted = (lifecycle: Lifecycle<any>, future: FutureImpl<any, any>, worker?: number): void => {
  if (future.control !== undefined) TaskControl.started(future.control, future, lifecycle.expire, worker)
}

/**
 * A task's timeout elapsed: its future fails with its `TimeoutError` now, whatever the task is doing, and the
 * task is stopped where it runs (`hooks.interrupt`: in a worker, which is killed after its grace period if the
 * task does not stop). The stop starts first, on this stack, as a completed future no longer knows how to stop
 * its task. The slot stays taken until the task has really ended: a pool's slot follows its worker (or fiber),
 * not the future.
 */
const expireTask = (lifecycle: Lifecycle<any>, future: FutureImpl<any, any>): void => {
  lifecycle.runFork((lifecycle.hooks.interrupt ?? interruptFuture)(future))
  completeLater(lifecycle, future, Exit.fail(future.control!.timedOut!))
  flush(lifecycle)
}

/**
 * The control of a future this executor just made for `taskName` (see `taskControl.ts`); set it on the future.
 * @internal
 */
export const controlOf = (
  lifecycle: Lifecycle<any>,
  context: Context.Context<never>,
  taskName: string,
  future: FutureImpl<any, any>,
  options: TaskControl.AttemptOptions | undefined
): TaskControl.TaskControl | undefined => TaskControl.make(lifecycle.executor, context, taskName, future.id, options)

/**
 * The future's task has ended. Returns `false` if it was not registered (or already removed).
 * @internal
 */
export const removeRunning = (lifecycle: Lifecycle<any>, future: FutureImpl<any, any>): boolean => {
  const index = future.runIndex
  if (index < 0) return false
  const last = lifecycle.running.pop()!
  if (last !== future) {
    lifecycle.running[index] = last
    last.runIndex = index
  }
  future.runIndex = -1
  return true
}

/**
 * A future of this executor ended (its owner calls this): a future that never started (`startedAt` unset)
 * leaves the queued count; the outcome is counted.
 * @internal
 */
export const futureEnded = (lifecycle: Lifecycle<any>, future: FutureImpl<any, any>): void => {
  if (future.control !== undefined) TaskControl.ended(future.control, future)
  if (future.startedAt === undefined) {
    lifecycle.queued--
    lifecycle.stats.queueChanged()
  }
  lifecycle.stats.ended(future.state as "succeeded" | "failed" | "cancelled")
}

/**
 * Wakes whoever waits for the executor to drain, if the pool is idle now.
 * @internal
 */
export const notifyIfDrained = (lifecycle: Lifecycle<any>): void => {
  const drained = lifecycle.drained
  if (drained !== undefined && isIdle(lifecycle)) {
    lifecycle.drained = undefined
    Deferred.doneUnsafe(drained, Exit.void)
  }
}

/**
 * The pool holds no work and no done callback of a completion runs. Not while {@link flush} runs: a waiter it
 * resumes (one that closes the scope, say) may ask before the done callbacks of that completion are counted.
 */
const isIdle = (lifecycle: Lifecycle<any>): boolean =>
  !lifecycle.flushing && lifecycle.completing === 0 && lifecycle.hooks.idle()

/**
 * Collects a completion for {@link flush}: the future is completed with `exit` once the pool's state is
 * consistent.
 * @internal
 */
export const completeLater = (lifecycle: Lifecycle<any>, future: FutureImpl<any, any>, exit: Exit.Exit<any, any>) => {
  lifecycle.due.push(future, exit)
}

/**
 * Runs the completions collected by {@link completeLater}, in order: each future ends (its waiters resume, its
 * owner is told), and its done callbacks run in a fiber of their own (`runFork`). A future already done is
 * skipped. Called again from inside (by a waiter that made the pool complete more), it leaves them to the
 * running loop. Then wakes a drain waiter if the pool is idle.
 * @internal
 */
export const flush = (lifecycle: Lifecycle<any>): void => {
  if (lifecycle.flushing) return
  lifecycle.flushing = true
  const due = lifecycle.due
  try {
    for (let index = 0; index < due.length; index += 2) {
      completeNow(lifecycle, due[index] as FutureImpl<any, any>, due[index + 1] as Exit.Exit<any, any>)
    }
  } finally {
    due.length = 0
    lifecycle.flushing = false
  }
  notifyIfDrained(lifecycle)
}

const completeNow = (lifecycle: Lifecycle<any>, future: FutureImpl<any, any>, exit: Exit.Exit<any, any>): void => {
  const callbacks = finishUnsafe(future, exit)
  if (!Array.isArray(callbacks) || callbacks.length === 0) return
  lifecycle.completing++
  lifecycle.runFork(
    Effect.ensuring(
      runCallbacks(future, callbacks),
      Effect.sync(() => {
        lifecycle.completing--
        notifyIfDrained(lifecycle)
      })
    )
  )
}

/**
 * Waits until the pool is idle.
 * @internal
 */
export const awaitDrained = (lifecycle: Lifecycle<any>): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (isIdle(lifecycle)) return Effect.void
    lifecycle.drained ??= Deferred.makeUnsafe<void>()
    return Deferred.await(lifecycle.drained)
  })

/**
 * Cancels every queued future. Not interruptible: none is left pending and out of the queue. The queue is
 * emptied first; each future's done listener then finds it consistent.
 * @internal
 */
export const cancelQueued = (lifecycle: Lifecycle<any>): Effect.Effect<void> =>
  Effect.uninterruptible(
    Effect.suspend(() => {
      const items = lifecycle.queue.takeAll()
      return Effect.forEach(items, (item) => cancel(item.future), { discard: true })
    })
  )

/**
 * `Executor.shutdown`: no more submits; with `cancelFutures`, the queued futures are cancelled; with `wait`
 * (the default), waits until the pool is idle.
 * @internal
 */
export const shutdown = (
  lifecycle: Lifecycle<any>,
  options?: { readonly wait?: boolean | undefined; readonly cancelFutures?: boolean | undefined }
): Effect.Effect<void> =>
  Effect.suspend(() => {
    beginShutdown(lifecycle)
    const cancelled = options?.cancelFutures === true ? cancelQueued(lifecycle) : Effect.void
    return options?.wait === false ? cancelled : Effect.andThen(cancelled, awaitDrained(lifecycle))
  })

/**
 * No more submits; cancels the queued futures, interrupts the running tasks (through `hooks.interrupt`, else
 * `Future.interrupt`), and waits until the pool is idle.
 * @internal
 */
export const stop = (lifecycle: Lifecycle<any>): Effect.Effect<void> =>
  Effect.suspend(() => {
    beginShutdown(lifecycle)
    const stopOne = lifecycle.hooks.interrupt ?? interruptFuture
    return cancelQueued(lifecycle).pipe(
      Effect.andThen(
        Effect.suspend(() =>
          Effect.forEach([...lifecycle.running], stopOne, { concurrency: "unbounded", discard: true })
        )
      ),
      Effect.andThen(awaitDrained(lifecycle))
    )
  })

const interruptFuture = (future: FutureImpl<any, any>): Effect.Effect<void> => Effect.asVoid(interrupt(future))

/**
 * The executor's scope closes (`closeExecutor`'s rule: a normal exit drains until an interruption or
 * `shutdownTimeout`, then stops the tasks; a failure or interruption stops them at once); then the executor is
 * `Closed` and its workers are stopped (`hooks.stopWorkers`).
 * @internal
 */
export const close = (
  lifecycle: Lifecycle<any>,
  exit: Exit.Exit<unknown, unknown>,
  shutdownTimeout?: Duration.Duration
): Effect.Effect<void> => {
  const closing = closeExecutor(exit, { drain: shutdown(lifecycle), stop: stop(lifecycle) }, shutdownTimeout)
  const stopWorkers = lifecycle.hooks.stopWorkers
  const closed = Effect.andThen(
    closing,
    Effect.sync(() => markClosed(lifecycle))
  )
  return Effect.uninterruptible(stopWorkers === undefined ? closed : Effect.andThen(closed, stopWorkers))
}
