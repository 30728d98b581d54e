import { Context, Effect, Exit, Scope } from "effect"
import { ExecutorShutdownError } from "../FutureError.ts"
import { addListener, awaitAll, cancel, FutureImpl, interrupt, runTask, setRunningUnsafe } from "./future.ts"
import { StatsTracker } from "./stats.ts"
import { WorkQueue } from "./workQueue.ts"

interface WorkItem {
  readonly future: FutureImpl<any, any>
  readonly effect: Effect.Effect<any, any>
}

/**
 * The in-process executor: each task runs in its own fiber (so it can be interrupted alone), and at most
 * `maxWorkers` of those fibers are alive. A finishing task starts the next queued one, so no fiber idles.
 *
 * @internal
 */
export class FiberPool {
  private readonly queue = new WorkQueue<WorkItem>()
  private readonly outstanding = new Set<FutureImpl<any, any>>()
  /** The futures in `queue` that are still pending (a queued future cancelled by its owner leaves it). */
  private readonly queued = new Set<FutureImpl<any, any>>()
  private isShutdown = false
  readonly stats: StatsTracker
  readonly maxWorkers: number
  private readonly scope: Scope.Scope

  constructor(maxWorkers: number, scope: Scope.Scope, context: Context.Context<never>) {
    this.maxWorkers = maxWorkers
    this.scope = scope
    this.stats = new StatsTracker(maxWorkers, () => this.queued.size, "fiber", context)
  }

  submit<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<FutureImpl<A, E>, ExecutorShutdownError> {
    return Effect.suspend(() => {
      if (this.isShutdown) {
        return Effect.fail(new ExecutorShutdownError({ message: "cannot submit a task after the executor shut down" }))
      }
      const future = new FutureImpl<A, E>()
      this.outstanding.add(future)
      addListener(future, this.onDone)
      const item: WorkItem = { future, effect }
      if (this.stats.workers < this.maxWorkers) {
        this.stats.setWorkers(this.stats.workers + 1)
        return Effect.as(this.start(item), future)
      }
      this.queue.push(item)
      this.queued.add(future)
      this.stats.queueChanged()
      return Effect.succeed(future)
    })
  }

  shutdown(options?: { readonly wait?: boolean | undefined; readonly cancelFutures?: boolean | undefined }) {
    return Effect.suspend(() => {
      this.isShutdown = true
      const cancelQueued = options?.cancelFutures === true ? this.cancelQueued() : Effect.void
      return options?.wait === false ? cancelQueued : Effect.andThen(cancelQueued, this.awaitOutstanding())
    })
  }

  /** Scope close: a normal exit is `shutdown()`; a failure or interruption also stops the running tasks. */
  close(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    if (Exit.isSuccess(exit)) return this.shutdown()
    return Effect.suspend(() => {
      this.isShutdown = true
      return this.cancelQueued().pipe(
        Effect.andThen(Effect.forEach([...this.outstanding], interrupt, { concurrency: "unbounded", discard: true })),
        Effect.andThen(this.awaitOutstanding())
      )
    })
  }

  private readonly onDone = (future: FutureImpl<any, any>) => {
    this.outstanding.delete(future)
    if (this.queued.delete(future)) this.stats.queueChanged()
    this.stats.ended(future.state as "succeeded" | "failed" | "cancelled")
  }

  private start(item: WorkItem): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (setRunningUnsafe(item.future) !== "running") return this.next
      this.stats.setBusy(this.stats.busy + 1)
      return runTask(
        item.future,
        item.effect,
        (task) => Effect.forkIn(task, this.scope, { uninterruptible: true }),
        this.taskHooks
      )
    })
  }

  private readonly taskHooks = {
    beforeComplete: () => this.stats.setBusy(this.stats.busy - 1),
    afterComplete: Effect.suspend(() => this.next)
  }

  private readonly next: Effect.Effect<void> = Effect.suspend(() => {
    const item = this.queue.shift()
    if (item === undefined) {
      this.stats.setWorkers(this.stats.workers - 1)
      return Effect.void
    }
    if (this.queued.delete(item.future)) this.stats.queueChanged()
    return this.start(item)
  })

  private cancelQueued(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const items = this.queue.takeAll()
      this.queued.clear()
      this.stats.queueChanged()
      return Effect.forEach(items, (item) => cancel(item.future), { discard: true })
    })
  }

  private awaitOutstanding(): Effect.Effect<void> {
    return Effect.suspend(() => awaitAll(this.outstanding))
  }
}
