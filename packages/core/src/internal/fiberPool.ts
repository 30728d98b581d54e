import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as References from "effect/References"
import * as Scheduler from "effect/Scheduler"
import * as Tracer from "effect/Tracer"
import type { CancelledError, ExecutorShutdownError } from "../FutureError.ts"
import { futureExit, FutureImpl, interrupt, isDone, isExit, setRunningUnsafe, stateOf } from "./future.ts"
import type { DirectSubmit } from "./directSubmit.ts"
import * as Lifecycle from "./lifecycle.ts"
import { FiberFuture, observeTaskUnsafe, startTaskUnsafe, TaskStart, taskGoesOn } from "./taskFiber.ts"
import type { StatsTracker } from "./stats.ts"
import type { AttemptOptions } from "./taskControl.ts"

interface WorkItem {
  readonly future: FiberFuture<any, any>
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
 * Slots running inside one another on the current JavaScript stack: a map task that `Executor.map` starts
 * inside another task's first step, and a task whose end wakes code that ends another task starts the next
 * queued one inside that. Past this depth a slot goes on from a fresh stack instead.
 */
const maxNestedSlots = 16
let nestedSlots = 0

/** The `startedAt` of a started task whose run time is not measured. */
const untimed = -1
/** The `startedAt` of a task that is already an `Exit`: it runs no code, so its run time is 0 without a clock. */
const exitStart = -2

/** @internal */
export interface FiberPoolOptions {
  readonly maxWorkers: number
  /** The Layer's context: what the pool's own fibers (the close, the initializer) run with. */
  readonly context: Context.Context<never>
  readonly measureRunTime: boolean
  readonly name: string
  readonly tracing: boolean
  /** Tasks wait queued until `release` (an initializer runs first). */
  readonly held: boolean
}

/**
 * The in-process executor: each task runs in its own fiber (so it can be interrupted alone), and at most
 * `maxWorkers` of those fibers are alive. A slot is a loop, not a fiber: a submitted task is queued and a free
 * slot takes it on the scheduler's next turn (`Executor.map`'s tasks start at once when a slot is free); when
 * the task ends (at once, or later through the fiber's observer) the slot starts the next queued one.
 *
 * @internal
 */
export class FiberPool implements DirectSubmit {
  /** `lifecycle.stats`, read on every task. `stats.workers` counts the slots: the pool is idle when it is 0. */
  readonly stats: StatsTracker
  readonly maxWorkers: number
  /**
   * Admission, the queue, the running futures (until a task's fiber ends: a future completed by hand may still
   * have one), the drain signal, shutdown and close.
   */
  readonly lifecycle: Lifecycle.Lifecycle<WorkItem>
  /** `Effect.runForkWith(forkContext)`: see {@link forkIn}. */
  private fork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E> = Effect.runForkWith(Context.empty())
  private forkContext: Context.Context<never> = Context.empty()

  /**
   * Whether each task's run time goes to the run-time histogram: two clock reads per task, as much as a tiny
   * task's own fiber costs, so it is opt-in here (worker pools always measure it).
   */
  readonly measureRunTime: boolean

  /**
   * At most this many slots run tasks: `maxWorkers`, or 0 while the pool is held (its initializer runs, see
   * `fiberInitializer.ts`) and tasks wait queued.
   */
  private slotLimit: number

  constructor(options: FiberPoolOptions) {
    const { context, held, maxWorkers, name, tracing } = options
    this.maxWorkers = maxWorkers
    this.measureRunTime = options.measureRunTime
    this.slotLimit = held ? 0 : maxWorkers
    this.lifecycle = Lifecycle.make<WorkItem>(
      {
        // Held, the pool holds work while anything is queued: no slot will take it before the release.
        idle: () => this.stats.workers === 0 && (this.slotLimit > 0 || this.lifecycle.queued === 0),
        // Every running future of this pool is a FiberFuture.
        interrupt: (future) => stopTask(future as FiberFuture<any, any>)
      },
      { kind: "fiber", name, maxWorkers, context, tracing }
    )
    this.stats = this.lifecycle.stats
  }

  /** Submits a task that will run with `context`, on its own fiber, once `submit` has returned. */
  submitUnsafe<A, E>(
    effect: Effect.Effect<A, E>,
    context: Context.Context<never>
  ): FiberFuture<A, E> | ExecutorShutdownError {
    return this.admit(context, effect, "effect", undefined)
  }

  /** Submits a task by name, with its submit options (timeout, id, a retry's attempt) and span. */
  submitTaskUnsafe<A, E>(
    taskName: string,
    effect: Effect.Effect<A, E>,
    context: Context.Context<never>,
    options: AttemptOptions | undefined
  ): FiberFuture<A, E> | ExecutorShutdownError {
    return this.admit(context, effect, taskName, options)
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
    // A traced task needs a future for its span: it takes the way of every submit.
    if (!Lifecycle.isOpen(this.lifecycle) || !this.canStartNow() || this.traces(context)) {
      const submitted = this.admit(
        context,
        Effect.suspend(() => f(input)),
        f.name || "function",
        undefined
      )
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
      Lifecycle.notifyIfDrained(this.lifecycle)
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
      Lifecycle.notifyIfDrained(this.lifecycle)
      if (startedAt !== untimed) this.stats.ran(performance.now() - startedAt)
      return this.endedAtOnce(exit)
    }
    this.stats.setWorkers(this.stats.workers)
    this.stats.setBusy(this.stats.busy)
    const future = new FiberFuture<A, E>()
    future.owner = this.onDone
    setRunningUnsafe(future)
    future.startedAt = startedAt
    Lifecycle.addRunning(this.lifecycle, future)
    observeTaskUnsafe(future, fiber, context, this.continueSlot)
    return future
  }

  /** Brings the `completed` metric up to date after a run of {@link runCallUnsafe} calls. */
  readonly publish = (): void => this.stats.publish()

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

  /** Whether a task submitted from a fiber with these services gets a span; remembered for the last services. */
  private traces(context: Context.Context<never>): boolean {
    // `map` submits every input with the same services: one lookup per stream, not per task.
    if (context === this.tracedContext) return this.tracedAnswer
    this.tracedContext = context
    this.tracedAnswer =
      this.lifecycle.executor.tracing &&
      Context.getOrUndefined(context, Tracer.ParentSpan) !== undefined &&
      Context.get(context, References.TracerEnabled)
    return this.tracedAnswer
  }
  private tracedContext: Context.Context<never> | undefined = undefined
  private tracedAnswer = false

  /** A task may start on this stack: a slot is free, nothing queued is waiting for one, and the stack is short. */
  private canStartNow(): boolean {
    return this.stats.workers < this.slotLimit && this.lifecycle.queue.length === 0 && nestedSlots < maxNestedSlots
  }

  private admit<A, E>(
    context: Context.Context<never>,
    effect: Effect.Effect<A, E>,
    taskName: string,
    options: AttemptOptions | undefined
  ): FiberFuture<A, E> | ExecutorShutdownError {
    const refused = Lifecycle.admit(this.lifecycle)
    // Broken (its initializer failed), the pool still takes tasks: each fails as it starts, at the initializer's gate.
    if (refused !== undefined && refused._tag === "ExecutorShutdownError") return refused
    const future = new FiberFuture<A, E>()
    future.owner = this.onDone
    const control =
      options === undefined && !this.traces(context)
        ? undefined
        : Lifecycle.controlOf(this.lifecycle, context, taskName, future, options)
    if (control !== undefined) {
      future.control = control
      // The task's own spans are children of its task span.
      if (control.span !== undefined) context = Context.add(context, Tracer.ParentSpan, control.span)
    }
    // Python's `submit` hands the work item to a worker and returns: the task never runs inside its submit, so
    // its future is pending when the submitter gets it (a timed wait can time out, `cancel` finds it pending).
    Lifecycle.enqueue(this.lifecycle, { future, effect, context })
    if (this.stats.workers < this.slotLimit) {
      // A free slot takes the queue, in order, after a scheduler turn.
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

  /** A held pool may run tasks now: as many slots start as the queue needs, each after a scheduler turn. */
  release(): void {
    this.slotLimit = this.maxWorkers
    const wanted = Math.min(this.maxWorkers, this.lifecycle.queue.length)
    while (this.stats.workers < wanted) {
      this.stats.setWorkers(this.stats.workers + 1)
      this.yieldSlot()
    }
    Lifecycle.notifyIfDrained(this.lifecycle)
  }

  /** Told when a future ends: completed by its task, by hand, or cancelled while queued. */
  private readonly onDone = (future: FutureImpl<any, any>) => {
    if (future.startedAt !== undefined) {
      if (future.startedAt >= 0) this.stats.ran(performance.now() - future.startedAt)
      else if (future.startedAt === exitStart) this.stats.ran(0)
      // Ended by its task, not by hand while the task goes on: the slot is free before any waiter wakes up.
      if (!taskGoesOn(future as FiberFuture<any, any>)) this.taskEnded(future)
    }
    Lifecycle.futureEnded(this.lifecycle, future)
  }

  /**
   * One slot's loop: runs the task, and the next queued one each time a task ends before its start returns.
   * A task that goes on asynchronously takes the loop with it: its end calls {@link continueSlot}.
   */
  private runSlot(future: FiberFuture<any, any>, effect: Effect.Effect<any, any>, context: Context.Context<never>) {
    nestedSlots++
    try {
      for (let turn = 1; ; turn++) {
        if (setRunningUnsafe(future) === "running") {
          future.startedAt = !this.measureRunTime ? untimed : isExit(effect) ? exitStart : performance.now()
          Lifecycle.addRunning(this.lifecycle, future)
          this.stats.setBusy(this.stats.busy + 1)
          if (startTaskUnsafe(future, effect, context, this.continueSlot, this.forkIn(context)) === TaskStart.Running) {
            return
          }
          this.taskEnded(future)
        }
        if (turn >= tasksPerTurn && this.lifecycle.queue.length > 0) return this.yieldSlot()
        const item = Lifecycle.takeQueued(this.lifecycle)
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
  private readonly continueSlot = (future: FiberFuture<any, any>) => {
    this.taskEnded(future)
    if (nestedSlots >= maxNestedSlots && this.lifecycle.queue.length > 0) return this.yieldSlot()
    this.nextInSlot()
  }

  /** The task's fiber ended (its future is done): it no longer holds its slot busy. Once per task. */
  private taskEnded(future: FutureImpl<any, any>) {
    if (Lifecycle.removeRunning(this.lifecycle, future)) this.stats.setBusy(this.stats.busy - 1)
  }

  /**
   * Lets the scheduler run other fibers first, then goes on with the queue in the same slot. The turn is
   * taken on the scheduler of the task whose turn it is, through one dispatcher of the pool's (the slots
   * waiting for a turn go on in one scheduler task, not in a fiber each).
   */
  private yieldSlot() {
    const next = this.lifecycle.queue.peek()
    if (next === undefined) return this.releaseSlot()
    const scheduler = Context.get(next.context, Scheduler.Scheduler)
    if (scheduler !== this.scheduler) {
      this.scheduler = scheduler
      this.dispatcher = scheduler.makeDispatcher()
    }
    this.dispatcher!.scheduleTask(this.nextInSlot, 0)
  }
  private scheduler: Scheduler.Scheduler | undefined = undefined
  private dispatcher: Scheduler.SchedulerDispatcher | undefined = undefined

  /** The slot runs the next queued task, or is free when none is left. */
  private readonly nextInSlot = () => {
    const item = Lifecycle.takeQueued(this.lifecycle)
    if (item === undefined) this.releaseSlot()
    else this.runSlot(item.future, item.effect, item.context)
  }

  private releaseSlot() {
    this.stats.setWorkers(this.stats.workers - 1)
    Lifecycle.notifyIfDrained(this.lifecycle)
  }
}

/** Stops a running task: interrupts its future, or, when that was completed by hand, its fiber directly. */
const stopTask = (future: FiberFuture<any, any>): Effect.Effect<void> =>
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
