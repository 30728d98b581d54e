import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { type CancelledError, ExecutorShutdownError } from "../FutureError.ts"
import {
  cancel,
  futureExit,
  FutureImpl,
  interrupt,
  isDone,
  isExit,
  observeTaskUnsafe,
  setRunningUnsafe,
  startTaskUnsafe,
  stateOf,
  TaskStart
} from "./future.ts"
import { closeExecutor } from "./scopeClose.ts"
import { StatsTracker } from "./stats.ts"
import { WorkQueue } from "./workQueue.ts"

interface WorkItem {
  readonly future: FutureImpl<any, any>
  readonly effect: Effect.Effect<any, any>
  /** The services of the fiber that submitted the task: its fiber runs with them. */
  readonly context: Context.Context<never>
}

/**
 * Tasks one worker slot runs back to back on one JavaScript stack before it lets other fibers and timers
 * run: a long queue of tasks that finish at once must not starve the event loop.
 */
const tasksPerTurn = 128

/**
 * Slots running inside one another on the current JavaScript stack: a task that submits a task starts it
 * inside its own first step, and a task whose end wakes code that ends another task starts the next queued
 * one inside that. Past this depth a slot goes on from a fresh stack instead.
 */
const maxNestedSlots = 16
let nestedSlots = 0

/** The `startedAt` of a started task whose run time is not measured. */
const untimed = -1
/** The `startedAt` of a task that is already an `Exit`: it runs no code, so its run time is 0 without a clock. */
const exitStart = -2

/**
 * The in-process executor: each task runs in its own fiber (so it can be interrupted alone), and at most
 * `maxWorkers` of those fibers are alive. A slot is a loop, not a fiber: it starts a task's fiber at once,
 * and when the task ends (at once, or later through the fiber's observer) it starts the next queued one.
 *
 * @internal
 */
export class FiberPool {
  readonly stats: StatsTracker
  readonly maxWorkers: number
  private readonly queue = new WorkQueue<WorkItem>()
  /** Futures in `queue` still pending: one cancelled while queued stays there until a slot skips it. */
  private queuedPending = 0
  /**
   * Futures whose task runs, until its fiber ends (a future completed by hand may still have one); each knows
   * its index (`runIndex`), so removing one is O(1).
   */
  private readonly running: Array<FutureImpl<any, any>> = []
  private isShutdown = false
  /** `Effect.runForkWith(forkContext)`: see {@link forkIn}. */
  private fork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E> = Effect.runForkWith(Context.empty())
  private forkContext: Context.Context<never> = Context.empty()
  /** Completed when no task is running or queued any more; made by whoever waits for that. */
  private drained: Deferred.Deferred<void> | undefined = undefined

  /**
   * Whether each task's run time goes to the run-time histogram: two clock reads per task, as much as a tiny
   * task's own fiber costs, so it is opt-in here (worker pools always measure it).
   */
  readonly measureRunTime: boolean

  constructor(maxWorkers: number, context: Context.Context<never>, measureRunTime: boolean, name: string) {
    this.maxWorkers = maxWorkers
    this.measureRunTime = measureRunTime
    this.stats = new StatsTracker(maxWorkers, () => this.queuedPending, "fiber", context, name)
  }

  /** Submits a task that will run with `context`; starts it before returning when a slot is free. */
  submitUnsafe<A, E>(
    effect: Effect.Effect<A, E>,
    context: Context.Context<never>
  ): FutureImpl<A, E> | ExecutorShutdownError {
    return this.admit(context, effect, undefined, undefined)
  }

  /**
   * `Executor.map`'s way in: submits the task `f(input)`, calling `f` when the task starts, as
   * `Effect.forEach` does (at once if a slot is free, else when a slot takes it from the queue). A task that
   * starts at once and ends before this returns (or is already an `Exit`) never becomes a future: map only
   * needs its result, so its `Exit` is returned, in a future's form (an interruption is a `CancelledError`).
   * A failed submission is returned as its `Exit`. Successes are counted quietly: call `stats.publish()`
   * after a run of calls.
   */
  runCallUnsafe<I, A, E>(
    f: (input: I) => Effect.Effect<A, E>,
    input: I,
    context: Context.Context<never>
  ): FutureImpl<A, E> | Exit.Exit<A, E | CancelledError | ExecutorShutdownError> {
    if (this.isShutdown || !this.canStartNow()) {
      const submitted = this.admit(context, undefined, f, input)
      return submitted instanceof FutureImpl ? submitted : Exit.fail(submitted)
    }
    const startedAt = this.measureRunTime ? performance.now() : untimed
    const effect = callTask(f, input)
    if (isExit(effect)) {
      if (startedAt !== untimed) this.stats.ran(0)
      return this.endedAtOnce(effect)
    }
    // The task takes a slot and starts now, in a slot nested on this stack like `runSlot`'s. While it runs the
    // counts include it (its own code may read them); the gauges are brought up to date only if they moved
    // meanwhile (a nested submit publishes them) or the task goes on asynchronously.
    this.stats.workers++
    this.stats.busy++
    nestedSlots++
    let fiber: Fiber.Fiber<A, E>
    try {
      fiber = this.forkIn(context)(effect)
    } catch (defect) {
      this.stats.workers--
      this.stats.busy--
      this.stats.syncGauges()
      this.notifyIfDrained()
      throw defect
    } finally {
      nestedSlots--
    }
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) {
      this.stats.workers--
      this.stats.busy--
      this.stats.syncGauges()
      // A shutdown started by code the task woke up may be waiting for this very slot.
      this.notifyIfDrained()
      if (startedAt !== untimed) this.stats.ran(performance.now() - startedAt)
      return this.endedAtOnce(exit)
    }
    this.stats.setWorkers(this.stats.workers)
    this.stats.setBusy(this.stats.busy)
    const future = new FutureImpl<A, E>()
    future.owner = this.onDone
    future.state = "running"
    future.startedAt = startedAt
    this.addRunning(future)
    observeTaskUnsafe(future, fiber, context, this.continueSlot)
    return future
  }

  /** `Effect.runForkWith(context)`, made once per change of services: tasks mostly come with the same ones. */
  private forkIn(context: Context.Context<never>) {
    if (context !== this.forkContext) {
      this.forkContext = context
      this.fork = Effect.runForkWith(context)
    }
    return this.fork
  }

  private endedAtOnce<A, E>(exit: Exit.Exit<A, E>): Exit.Exit<A, E | CancelledError> {
    if (exit._tag === "Success") {
      this.stats.succeededQuietly()
      return exit
    }
    const result = futureExit(exit)
    this.stats.ended(stateOf(result))
    return result
  }

  /** A task may start on this stack: a slot is free, nothing queued is waiting for one, and the stack is short. */
  private canStartNow(): boolean {
    return this.stats.workers < this.maxWorkers && this.queue.length === 0 && nestedSlots < maxNestedSlots
  }

  private admit<I, A, E>(
    context: Context.Context<never>,
    effect: Effect.Effect<A, E> | undefined,
    f: ((input: I) => Effect.Effect<A, E>) | undefined,
    input: I
  ): FutureImpl<A, E> | ExecutorShutdownError {
    if (this.isShutdown) {
      return new ExecutorShutdownError({ message: "cannot submit a task after the executor shut down" })
    }
    const future = new FutureImpl<A, E>()
    future.owner = this.onDone
    if (this.canStartNow()) {
      this.stats.setWorkers(this.stats.workers + 1)
      this.runSlot(future, effect ?? callTask(f!, input), context)
      return future
    }
    this.enqueue({ future, effect: effect ?? Effect.suspend(() => f!(input)), context })
    if (this.stats.workers < this.maxWorkers) {
      // A slot is free, but the stack is deep or queued tasks go first: a fresh slot takes the queue, in
      // order, after a scheduler turn.
      this.stats.setWorkers(this.stats.workers + 1)
      this.yieldSlot()
    }
    return future
  }

  submit<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<FutureImpl<A, E>, ExecutorShutdownError> {
    return Effect.withFiber((fiber) => {
      const submitted = this.submitUnsafe(effect, fiber.context)
      return submitted instanceof FutureImpl ? Effect.succeed(submitted) : Effect.fail(submitted)
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

  /**
   * Scope close (`closeExecutor`): a normal exit is `shutdown()`, until an interruption or `shutdownTimeout`
   * stops the tasks; a failure or interruption stops them at once.
   */
  close(exit: Exit.Exit<unknown, unknown>, shutdownTimeout?: Duration.Duration): Effect.Effect<void> {
    return closeExecutor(exit, { drain: this.shutdown(), stop: this.stopTasks() }, shutdownTimeout)
  }

  /** Cancels the queued tasks, interrupts the running ones, and waits until every slot is free. */
  private stopTasks(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.isShutdown = true
      return this.cancelQueued().pipe(
        Effect.andThen(Effect.forEach([...this.running], stopTask, { concurrency: "unbounded", discard: true })),
        Effect.andThen(this.awaitDrained())
      )
    })
  }

  /** Told when a future ends: completed by its task, by hand, or cancelled while queued. */
  private readonly onDone = (future: FutureImpl<any, any>) => {
    if (future.startedAt === undefined) {
      // Only a queued future can end without starting: it was cancelled.
      this.queuedPending--
      this.stats.queueChanged()
    } else {
      if (future.startedAt >= 0) this.stats.ran(performance.now() - future.startedAt)
      else if (future.startedAt === exitStart) this.stats.ran(0)
      // Ended by its task, not by hand while the task goes on: the slot is free before any waiter wakes up.
      if (future.fiber === undefined && future.interruptWhenStarted === undefined) this.taskEnded(future)
    }
    this.stats.ended(future.state as "succeeded" | "failed" | "cancelled")
  }

  /**
   * One slot's loop: runs the task, and the next queued one each time a task ends before its start returns.
   * A task that goes on asynchronously takes the loop with it: its end calls {@link continueSlot}.
   */
  private runSlot(future: FutureImpl<any, any>, effect: Effect.Effect<any, any>, context: Context.Context<never>) {
    nestedSlots++
    try {
      for (let turn = 1; ; turn++) {
        if (setRunningUnsafe(future) === "running") {
          future.startedAt = !this.measureRunTime ? untimed : isExit(effect) ? exitStart : performance.now()
          this.addRunning(future)
          this.stats.setBusy(this.stats.busy + 1)
          if (startTaskUnsafe(future, effect, context, this.continueSlot, this.forkIn(context)) === TaskStart.Running) {
            return
          }
          this.taskEnded(future)
        }
        if (turn >= tasksPerTurn && this.queue.length > 0) return this.yieldSlot()
        const item = this.takeQueued()
        if (item === undefined) return this.releaseSlot()
        future = item.future
        effect = item.effect
        context = item.context
      }
    } finally {
      nestedSlots--
    }
  }

  /** A task whose end came after its start returned: the slot goes on with the queue. */
  private readonly continueSlot = (future: FutureImpl<any, any>) => {
    this.taskEnded(future)
    if (nestedSlots >= maxNestedSlots && this.queue.length > 0) return this.yieldSlot()
    this.nextInSlot()
  }

  /** The task's fiber ended (its future is done): it no longer holds its slot busy. Once per task. */
  private taskEnded(future: FutureImpl<any, any>) {
    if (future.runIndex < 0) return
    this.removeRunning(future)
    this.stats.setBusy(this.stats.busy - 1)
  }

  private addRunning(future: FutureImpl<any, any>) {
    future.runIndex = this.running.length
    this.running.push(future)
  }

  private removeRunning(future: FutureImpl<any, any>) {
    const last = this.running.pop()!
    if (last !== future) {
      this.running[future.runIndex] = last
      last.runIndex = future.runIndex
    }
    future.runIndex = -1
  }

  /**
   * Lets the scheduler run other fibers first, then goes on with the queue in the same slot. The turn is
   * taken with the services (and so the scheduler) of the task whose turn it is.
   */
  private yieldSlot() {
    const next = this.queue.peek()
    if (next === undefined) return this.releaseSlot()
    Effect.runForkWith(next.context)(Effect.andThen(Effect.yieldNow, Effect.sync(this.nextInSlot)))
  }

  /** The slot runs the next queued task, or is free when none is left. */
  private readonly nextInSlot = () => {
    const item = this.takeQueued()
    if (item === undefined) this.releaseSlot()
    else this.runSlot(item.future, item.effect, item.context)
  }

  private enqueue(item: WorkItem) {
    this.queue.push(item)
    this.queuedPending++
    this.stats.queueChanged()
  }

  private takeQueued(): WorkItem | undefined {
    const item = this.queue.shift()
    if (item !== undefined && item.future.state === "pending") {
      this.queuedPending--
      this.stats.queueChanged()
    }
    return item
  }

  private releaseSlot() {
    this.stats.setWorkers(this.stats.workers - 1)
    this.notifyIfDrained()
  }

  private notifyIfDrained() {
    if (this.stats.workers === 0 && this.drained !== undefined) Deferred.doneUnsafe(this.drained, Exit.void)
  }

  /** Cancels every queued future; not interruptible, so none is left pending and off the queue. */
  private cancelQueued(): Effect.Effect<void> {
    return Effect.uninterruptible(
      Effect.suspend(() => {
        const items = this.queue.takeAll()
        return Effect.forEach(items, (item) => cancel(item.future), { discard: true })
      })
    )
  }

  private awaitDrained(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.stats.workers === 0) return Effect.void
      this.drained ??= Deferred.makeUnsafe<void>()
      return Deferred.await(this.drained)
    })
  }
}

/** Stops a running task: interrupts its future, or, when that was completed by hand, its fiber directly. */
const stopTask = (future: FutureImpl<any, any>): Effect.Effect<void> =>
  isDone(future)
    ? future.fiber === undefined
      ? Effect.void
      : Fiber.interrupt(future.fiber)
    : Effect.asVoid(interrupt(future))

/** `f(input)`, where a throw is the task's defect, as in `Effect.suspend`. */
const callTask = <I, A, E>(f: (input: I) => Effect.Effect<A, E>, input: I): Effect.Effect<A, E> => {
  try {
    return f(input)
  } catch (defect) {
    return Exit.die(defect)
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

/**
 * `layerFiber`'s `LocalExecutor`: `Executor.submit` recognises it and hands the task and the submitting
 * fiber's services to the pool in one step.
 *
 * @internal
 */
export class FiberPoolExecutor {
  readonly pool: FiberPool
  constructor(pool: FiberPool) {
    this.pool = pool
  }
  submit<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<FutureImpl<A, E>, ExecutorShutdownError> {
    return this.pool.submit(effect)
  }
}
