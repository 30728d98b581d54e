/**
 * The executor's lifecycle as the pool keeps it: its phase (`Open | Broken | ShuttingDown | Closed`), the
 * queue of tasks waiting for a worker with the set that counts them, the outstanding futures and the signal
 * that they have drained, the submits waiting for room under `maxQueue`, and the completions due.
 *
 * Completions are collected while the pool changes its state and run by {@link PoolLifecycle.flush} once it
 * is consistent again: a completed future resumes its waiters synchronously, and they may call back into the
 * pool (submit, cancel, interrupt).
 *
 * @internal
 */
import type { BrokenExecutorError } from "@effect-futures/core/FutureError"
import { cancel, finishUnsafe, FutureImpl, runCallbacks } from "@effect-futures/core/internal/future"
import type { StatsTracker } from "@effect-futures/core/internal/stats"
import { WorkQueue } from "@effect-futures/core/internal/workQueue"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

export type Phase =
  | { readonly _tag: "Open" }
  /** A worker cannot start or the initializer failed: submits get failed futures until the scope closes. */
  | { readonly _tag: "Broken"; readonly error: BrokenExecutorError }
  /** `shutdown()`: submits fail; what is queued still runs. */
  | { readonly _tag: "ShuttingDown"; readonly broken: BrokenExecutorError | undefined }
  /** The scope closes: the workers are being stopped; nothing is spawned or handed again. */
  | { readonly _tag: "Closed"; readonly broken: BrokenExecutorError | undefined }

export class PoolLifecycle<Item extends { readonly future: FutureImpl<any, any> }> {
  phase: Phase = { _tag: "Open" }
  readonly queue = new WorkQueue<Item>()
  /** Futures waiting in the queue, not cancelled: what `stats.queued` reports and `maxQueue` bounds. */
  readonly queued = new Set<FutureImpl<any, any>>()
  private readonly outstanding = new Set<FutureImpl<any, any>>()
  /** Futures and their `Exit`s, alternately, due to be completed by `flush`. */
  private readonly due: Array<unknown> = []
  private flushing = false
  /** Completed futures whose done callbacks have not all run yet: a drain waits for them too. */
  private completing = 0
  private drained: Deferred.Deferred<void> | undefined = undefined
  private readonly roomWaiters: Array<() => void> = []

  private readonly stats: StatsTracker
  private readonly runFork: (effect: Effect.Effect<void>) => unknown

  constructor(stats: StatsTracker, runFork: (effect: Effect.Effect<void>) => unknown) {
    this.stats = stats
    this.runFork = runFork
  }

  get broken(): BrokenExecutorError | undefined {
    return this.phase._tag === "Broken" ? this.phase.error : this.phase._tag === "Open" ? undefined : this.phase.broken
  }

  get shutDown(): boolean {
    return this.phase._tag === "ShuttingDown" || this.phase._tag === "Closed"
  }

  /** Workers may be spawned and handed work that has not started. */
  get serving(): boolean {
    return this.phase._tag === "Open" || (this.phase._tag === "ShuttingDown" && this.phase.broken === undefined)
  }

  shutDownNow(): void {
    if (!this.shutDown) this.phase = { _tag: "ShuttingDown", broken: this.broken }
    this.wakeAllWaiters()
  }

  breakWith(error: BrokenExecutorError): void {
    const phase = this.phase
    this.phase =
      phase._tag === "Open" ? { _tag: "Broken", error } : phase._tag === "Broken" ? phase : { ...phase, broken: error }
  }

  close(): void {
    this.phase = { _tag: "Closed", broken: this.broken }
  }

  /** A new future, counted until it ends. */
  track(): FutureImpl<any, any> {
    const future = new FutureImpl<any, any>()
    this.outstanding.add(future)
    // Told first when the future ends, before its waiters resume: the stats are settled when they look.
    future.owner = this.onDone
    return future
  }

  enqueue(item: Item): void {
    this.queue.push(item)
    this.queued.add(item.future)
    this.stats.queueChanged()
  }

  /** Takes every queued task (cancelled ones included: they are skipped by whoever looks). */
  takeQueued(): Array<Item> {
    const items = this.queue.takeAll()
    for (const item of items) this.queued.delete(item.future)
    this.stats.queueChanged()
    return items
  }

  private readonly onDone = (future: FutureImpl<any, any>): void => {
    this.outstanding.delete(future)
    if (this.queued.delete(future)) {
      // A queued future cancelled by its owner frees room for a submit waiting under `maxQueue`.
      this.stats.queueChanged()
      this.wakeWaiter()
    }
    this.stats.ended(future.state as "succeeded" | "failed" | "cancelled")
    this.checkDrained()
  }

  /** Completes a future once the pool is consistent again (at the next `flush`). */
  complete(future: FutureImpl<any, any>, exit: Exit.Exit<any, any>): void {
    this.due.push(future, exit)
  }

  /** Runs the completions due, in order, including those the completions themselves cause. */
  flush(): void {
    if (this.flushing || this.due.length === 0) return
    this.flushing = true
    try {
      for (let i = 0; i < this.due.length; i += 2) {
        this.finish(this.due[i] as FutureImpl<any, any>, this.due[i + 1] as Exit.Exit<any, any>)
      }
    } finally {
      this.due.length = 0
      this.flushing = false
    }
  }

  private finish(future: FutureImpl<any, any>, exit: Exit.Exit<any, any>): void {
    this.completing++
    const callbacks = finishUnsafe(future, exit)
    if (!Array.isArray(callbacks) || callbacks.length === 0) {
      this.completing--
      this.checkDrained()
      return
    }
    this.runFork(
      Effect.ensuring(
        runCallbacks(future, callbacks),
        Effect.sync(() => {
          this.completing--
          this.checkDrained()
        })
      )
    )
  }

  /** Wakes whoever waits for the pool to drain, once no future is outstanding and no callback is running. */
  private checkDrained(): void {
    if (this.drained !== undefined && this.outstanding.size === 0 && this.completing === 0) {
      const drained = this.drained
      this.drained = undefined
      Deferred.doneUnsafe(drained, Exit.void)
    }
  }

  /** Waits until every future is done and its callbacks have run. */
  awaitOutstanding(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.outstanding.size === 0 && this.completing === 0) return Effect.void
      this.drained ??= Deferred.makeUnsafe<void>()
      return Deferred.await(this.drained)
    })
  }

  /** Interrupts every outstanding future (a handed task in its worker) and waits for each to end. */
  interruptOutstanding(interrupt: (future: FutureImpl<any, any>) => Effect.Effect<unknown>): Effect.Effect<void> {
    return Effect.suspend(() =>
      Effect.forEach([...this.outstanding], interrupt, { concurrency: "unbounded", discard: true })
    )
  }

  cancelQueued(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const items = this.queue.takeAll()
      this.stats.queueChanged()
      this.wakeAllWaiters()
      return Effect.forEach(items, (item) => cancel(item.future), { discard: true })
    })
  }

  readonly waitForRoom: Effect.Effect<void> = Effect.callback<void>((resume) => {
    const waiter = () => resume(Effect.void)
    this.roomWaiters.push(waiter)
    return Effect.sync(() => {
      const index = this.roomWaiters.indexOf(waiter)
      if (index >= 0) this.roomWaiters.splice(index, 1)
    })
  })

  wakeWaiter(): void {
    if (this.roomWaiters.length > 0) this.roomWaiters.shift()!()
  }

  wakeAllWaiters(): void {
    for (const waiter of this.roomWaiters.splice(0)) waiter()
  }
}
