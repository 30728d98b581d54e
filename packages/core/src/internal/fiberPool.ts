import { Cause, Context, Deferred, Effect, Exit, Fiber } from "effect"
import { ExecutorShutdownError } from "../FutureError.ts"
import { cancel, FutureImpl, interrupt, runTask, setRunningUnsafe } from "./future.ts"
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
  readonly stats: StatsTracker
  readonly maxWorkers: number
  private readonly queue = new WorkQueue<WorkItem>()
  /** Futures in `queue` still pending: one cancelled while queued stays there until a worker skips it. */
  private queuedPending = 0
  private readonly running = new Set<FutureImpl<any, any>>()
  private isShutdown = false
  /** Completed when no task is running or queued any more; made by whoever waits for that. */
  private drained: Deferred.Deferred<void> | undefined = undefined

  constructor(maxWorkers: number, context: Context.Context<never>) {
    this.maxWorkers = maxWorkers
    this.stats = new StatsTracker(maxWorkers, () => this.queuedPending, "fiber", context)
  }

  submit<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<FutureImpl<A, E>, ExecutorShutdownError> {
    return Effect.suspend(() => {
      if (this.isShutdown) {
        return Effect.fail(new ExecutorShutdownError({ message: "cannot submit a task after the executor shut down" }))
      }
      const future = new FutureImpl<A, E>()
      future.owner = this.onDone
      const item: WorkItem = { future, effect }
      if (this.stats.workers < this.maxWorkers) {
        this.stats.setWorkers(this.stats.workers + 1)
        return Effect.as(this.start(item), future)
      }
      this.queue.push(item)
      this.queuedPending++
      this.stats.queueChanged()
      return Effect.succeed(future)
    })
  }

  /**
   * Submits one task that runs `run` over each input in order, in one fiber, and ends with every input's
   * `Exit` up to and including the first failure (Python's `_process_chunk`). An interruption ends it
   * cancelled, as it would a single task.
   */
  submitChunk<I, A, E>(
    run: (input: I) => Effect.Effect<A, E>,
    inputs: ReadonlyArray<I>
  ): Effect.Effect<FutureImpl<Array<Exit.Exit<A, E>>, never>, ExecutorShutdownError> {
    return this.submit(runChunk(run, inputs))
  }

  shutdown(options?: { readonly wait?: boolean | undefined; readonly cancelFutures?: boolean | undefined }) {
    return Effect.suspend(() => {
      this.isShutdown = true
      const cancelQueued = options?.cancelFutures === true ? this.cancelQueued() : Effect.void
      return options?.wait === false ? cancelQueued : Effect.andThen(cancelQueued, this.awaitDrained())
    })
  }

  /** Scope close: a normal exit is `shutdown()`; a failure or interruption also stops the running tasks. */
  close(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    if (Exit.isSuccess(exit)) return this.shutdown()
    return Effect.suspend(() => {
      this.isShutdown = true
      return this.cancelQueued().pipe(
        Effect.andThen(Effect.forEach([...this.running], interrupt, { concurrency: "unbounded", discard: true })),
        Effect.andThen(this.awaitDrained())
      )
    })
  }

  private readonly onDone = (future: FutureImpl<any, any>) => {
    if (future.startedAt === undefined) {
      // Only a queued future can end without starting: it was cancelled.
      this.queuedPending--
      this.stats.queueChanged()
    } else {
      this.running.delete(future)
      this.stats.setBusy(this.running.size)
      this.stats.ran(performance.now() - future.startedAt)
    }
    this.stats.ended(future.state as "succeeded" | "failed" | "cancelled")
  }

  private start(item: WorkItem): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (setRunningUnsafe(item.future) !== "running") return this.next
      item.future.startedAt = performance.now()
      this.running.add(item.future)
      this.stats.setBusy(this.running.size)
      return runTask(item.future, item.effect, forkTask, this.afterTask)
    })
  }

  private readonly afterTask = Effect.suspend(() => this.next)

  private readonly next: Effect.Effect<void> = Effect.suspend(() => {
    const item = this.queue.shift()
    if (item === undefined) {
      this.stats.setWorkers(this.stats.workers - 1)
      if (this.stats.workers === 0 && this.drained !== undefined) Deferred.doneUnsafe(this.drained, Exit.void)
      return Effect.void
    }
    if (item.future.state === "pending") {
      this.queuedPending--
      this.stats.queueChanged()
    }
    return this.start(item)
  })

  private cancelQueued(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const items = this.queue.takeAll()
      return Effect.forEach(items, (item) => cancel(item.future), { discard: true })
    })
  }

  private awaitDrained(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.stats.workers === 0) return Effect.void
      this.drained ??= Deferred.makeUnsafe<void>()
      return Deferred.await(this.drained)
    })
  }
}

const runChunk = <I, A, E>(
  run: (input: I) => Effect.Effect<A, E>,
  inputs: ReadonlyArray<I>
): Effect.Effect<Array<Exit.Exit<A, E>>> =>
  Effect.suspend(() => {
    const exits: Array<Exit.Exit<A, E>> = []
    let index = 0
    const step: Effect.Effect<Array<Exit.Exit<A, E>>> = Effect.suspend(() => {
      if (index === inputs.length) return Effect.succeed(exits)
      return Effect.flatMap(Effect.exit(Effect.suspend(() => run(inputs[index++]!))), (exit) => {
        if (Exit.isSuccess(exit)) {
          exits.push(exit)
          return step
        }
        if (Cause.hasInterruptsOnly(exit.cause)) return Effect.interrupt
        exits.push(exit)
        return Effect.succeed(exits)
      })
    })
    return step
  })

/** How many task fibers are starting inside one another's first step on the current JS stack. */
let nestedStarts = 0

/**
 * Forks a task's fiber and runs its first step at once, as `Effect.forEach` does: no scheduler hop and no
 * async-context capture for a task that finishes synchronously. A task that finishes at once starts the next
 * queued one from inside its own first step, so the nesting is capped to keep the stack short.
 */
const forkTask = (task: Effect.Effect<void>): Effect.Effect<Fiber.Fiber<void>> =>
  Effect.suspend(() => {
    if (nestedStarts >= 16) return Effect.forkDetach(task, { uninterruptible: true })
    nestedStarts++
    return Effect.map(Effect.forkDetach(task, { uninterruptible: true, startImmediately: true }), (fiber) => {
      nestedStarts--
      return fiber
    })
  })
