/**
 * The worker pool behind both Node executors: a FIFO queue of tasks, workers that each run one task at a
 * time, and the bookkeeping that keeps every future moving to exactly one terminal state whatever a worker
 * does (finishes, fails, is interrupted, crashes, is recycled).
 *
 * A deep queue is handed out in batches: a free worker gets up to {@link MAX_BATCH} tasks in one message and
 * runs them one after another, replying to each as it ends, so it does not idle for a round trip between
 * tasks. Every handed task is `running` (Python's call queue does the same). The first task of a batch
 * without a reply is the one executing: a crash fails it alone, and the batch's tasks that never started go
 * to other workers.
 *
 * Worker events arrive as Node callbacks, outside any fiber; every transition they cause is a synchronous
 * method here (one event at a time, like a lock), and Effects run only where user code (done callbacks)
 * or waiting is involved. That keeps a task's round trip to one message each way and no fiber in between.
 *
 * @internal
 */
import type { Transferable } from "node:worker_threads"
import type { Task } from "@effect-futures/core"
import {
  BrokenExecutorError,
  ExecutorShutdownError,
  TaskDecodeError,
  TaskEncodeError
} from "@effect-futures/core/FutureError"
import {
  cancel,
  finishUnsafe,
  FutureImpl,
  interrupt,
  runCallbacks,
  setRunningUnsafe
} from "@effect-futures/core/internal/future"
import { closeExecutor } from "@effect-futures/core/internal/scopeClose"
import { StatsTracker } from "@effect-futures/core/internal/stats"
import { WorkQueue } from "@effect-futures/core/internal/workQueue"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { describeCause } from "./describeCause.ts"
import * as Protocol from "./protocol.ts"
import { type CallerCodec, callerCodec, type Coded } from "./taskCodec.ts"
import type { Spawn, WorkerHandle } from "./transport.ts"

export interface PoolOptions {
  readonly kind: "worker-threads" | "child-processes"
  readonly name: string
  readonly spawn: Spawn
  readonly moduleHref: string
  readonly taskNames: ReadonlySet<string>
  readonly maxWorkers: number
  readonly minWorkers: number
  /** Milliseconds an idle worker above `minWorkers` lives; `Infinity` for ever. */
  readonly idleTimeout: number
  readonly maxTasksPerWorker: number
  readonly initializer: { readonly task: Task.Any; readonly payload: unknown } | undefined
  /** Milliseconds an interrupted task has to end before its worker is killed. */
  readonly interruptGracePeriod: number
  readonly maxQueue: number
  /** Milliseconds a closing worker has to exit before it is killed. */
  readonly closeTimeout: number
  /** Milliseconds a new worker has to load the task module (and run the initializer) before it is killed. */
  readonly startTimeout: number
  /**
   * At most this many workers load the task module at once, once one has: loading is CPU-bound (compiling
   * modules), and with more loaders than cores they all finish late together. The first loads alone.
   */
  readonly startLimit: number
}

interface Item {
  readonly id: number
  readonly future: FutureImpl<any, any>
  readonly task: Task.Any
  readonly codec: CallerCodec
  /** The encoded input, or for a chunk the array of encoded inputs. */
  readonly payload: unknown
  /** A chunk: the task runs over each input of `payload` and the future gets every input's `Exit`. */
  readonly chunk: boolean
  readonly transfer: ReadonlyArray<Transferable> | undefined
  /** The worker it was handed to, until it ends or that worker dies. */
  slot: Slot | undefined
  startedAt: number
  interrupting: boolean
  graceTimer: ReturnType<typeof setTimeout> | undefined
}

/**
 * `waiting`: wanted, but not spawned until fewer than `startLimit` workers are loading; `starting`: spawned,
 * loading the task module; `initializing`: running the initializer.
 */
type SlotState = "waiting" | "starting" | "initializing" | "idle" | "busy" | "retiring" | "dead"

interface Slot {
  handle: WorkerHandle
  state: SlotState
  /** The tasks handed to this worker without a reply yet, in order; the first is the one executing. */
  batch: Array<Item>
  tasksRun: number
  /** Its process has exited and its last replies are being read: it takes no more work. */
  exiting: boolean
  /** Why the worker could not start, if it said. */
  startFailure: BrokenExecutorError | undefined
  idleTimer: ReturnType<typeof setTimeout> | undefined
  startTimer: ReturnType<typeof setTimeout> | undefined
  readonly exited: Deferred.Deferred<void>
}

const INITIALIZER_ID = 0

/** At most this many tasks in one message to a worker. */
export const MAX_BATCH = 32

const isStarting = (slot: Slot) =>
  slot.state === "waiting" || slot.state === "starting" || slot.state === "initializing"

export class WorkerPool {
  readonly stats: StatsTracker
  private readonly options: PoolOptions
  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => unknown
  private readonly queue = new WorkQueue<Item>()
  /** Handed tasks that never started because their worker died: already running, they go first. */
  private readonly retry: Array<Item> = []
  /**
   * Handed tasks taken off their worker and about to be completed one after another: still running until
   * then. Each completion can resume a waiter synchronously, which must find the others counted somewhere.
   */
  private ending = 0
  /** Messages that handed tasks to workers, how many tasks they held, the most in one (for tests). */
  readonly dispatch = { messages: 0, tasks: 0, largest: 0 }
  /** Futures waiting in the queue, not cancelled: what `stats.queued` reports and `maxQueue` bounds. */
  private readonly queued = new Set<FutureImpl<any, any>>()
  private readonly outstanding = new Set<FutureImpl<any, any>>()
  private readonly slots = new Set<Slot>()
  private readonly idle: Array<Slot> = []
  private readonly roomWaiters: Array<() => void> = []
  private active = 0
  /** Workers not ready yet: waiting, starting or initializing. */
  private starting = 0
  /** Workers that wait to be spawned, in order. */
  private readonly waiting: Array<Slot> = []
  /** Workers spawned and loading the task module (`starting`): at most `startLimit`. */
  private loading = 0
  /** A worker has loaded the task module: the module loads, and the others may load side by side. */
  private everReady = false
  /** Workers that died while starting, with no worker reporting ready since: a few are bad luck, more a broken setup. */
  private startCrashes = 0
  private busy = 0
  private nextId = INITIALIZER_ID + 1
  private isShutdown = false
  private closing = false
  private broken: BrokenExecutorError | undefined = undefined
  /** Futures being completed from worker events whose callbacks have not all run yet. */
  private completing = 0
  private drained: Deferred.Deferred<void> | undefined = undefined
  /** Done when a first worker has loaded the task module; failed if the pool broke before. */
  private readonly firstReady = Deferred.makeUnsafe<void, BrokenExecutorError>()

  constructor(options: PoolOptions, context: Context.Context<never>) {
    this.options = options
    this.runFork = Effect.runForkWith(context) as any
    this.stats = new StatsTracker(options.maxWorkers, () => this.queued.size, options.kind, context, options.name)
  }

  /**
   * Starts `count` workers and waits until the first has loaded the task module: it serves the first tasks
   * while the others load (a worker that imports effect takes a few hundred milliseconds to start, most of
   * a short program's run). Fails if the pool breaks first: a module that a worker cannot load fails every
   * worker the same way, the first included.
   */
  warmUp(count: number): Effect.Effect<void, BrokenExecutorError> {
    return Effect.suspend(() => {
      for (let i = 0; i < count; i++) this.addWorker()
      if (this.broken !== undefined) return Effect.fail(this.broken)
      return count === 0 ? Effect.void : Deferred.await(this.firstReady)
    })
  }

  submit(
    task: Task.Any,
    input: unknown,
    transfer: ReadonlyArray<Transferable> | undefined
  ): Effect.Effect<FutureImpl<any, any>, ExecutorShutdownError | TaskEncodeError> {
    return this.submitWith(task, false, input, transfer)
  }

  /** Submits one unit of work that runs the task over each input in order; its future gets their `Exit`s. */
  submitChunk(
    task: Task.Any,
    inputs: ReadonlyArray<unknown>
  ): Effect.Effect<FutureImpl<any, any>, ExecutorShutdownError | TaskEncodeError> {
    return this.submitWith(task, true, inputs, undefined)
  }

  private submitWith(
    task: Task.Any,
    chunk: boolean,
    input: unknown,
    transfer: ReadonlyArray<Transferable> | undefined
  ): Effect.Effect<FutureImpl<any, any>, ExecutorShutdownError | TaskEncodeError> {
    return Effect.suspend(() => {
      if (this.isShutdown) {
        return Effect.fail(new ExecutorShutdownError({ message: "cannot submit a task after the executor shut down" }))
      }
      if (!this.options.taskNames.has(task.name)) {
        return Effect.fail(
          new TaskEncodeError({
            task: task.name,
            message: `the task module ${this.options.moduleHref} does not export a task named "${task.name}"`
          })
        )
      }
      const codec = callerCodec(task)
      const encoded = chunk ? encodeChunk(codec, input as ReadonlyArray<unknown>) : codec.encodeInput(input)
      if (!encoded.ok) return Effect.fail(new TaskEncodeError({ task: task.name, message: encoded.message }))
      if (this.queued.size >= this.options.maxQueue && this.idle.length === 0 && this.broken === undefined) {
        return Effect.andThen(this.waitForRoom, this.submitWith(task, chunk, input, transfer))
      }
      const transferList =
        encoded.transfer === undefined
          ? transfer
          : transfer === undefined
            ? encoded.transfer
            : [...transfer, ...encoded.transfer]
      return Effect.succeed(this.enqueue(task, codec, chunk, encoded.value, transferList))
    })
  }

  /** Tasks handed to workers without a reply yet, and those waiting to be handed again: the running ones. */
  handedCount(): number {
    let count = this.retry.length + this.ending
    for (const slot of this.slots) count += slot.batch.length
    return count
  }

  shutdown(options?: { readonly wait?: boolean | undefined; readonly cancelFutures?: boolean | undefined }) {
    return Effect.suspend(() => {
      this.isShutdown = true
      this.wakeAllWaiters()
      const cancelQueued = options?.cancelFutures === true ? this.cancelQueued() : Effect.void
      return Effect.andThen(
        cancelQueued,
        Effect.suspend(() => {
          // Workers with nothing left to do go now; busy ones go when their queue runs dry.
          if (this.queued.size === 0 && this.retry.length === 0) for (const slot of [...this.idle]) this.retire(slot)
          return options?.wait === false ? Effect.void : this.awaitOutstanding()
        })
      )
    })
  }

  /**
   * Scope close (`closeExecutor`): a normal exit is `shutdown()`, until an interruption or `shutdownTimeout`
   * stops the tasks; a failure or interruption stops them at once. Then every worker is closed, and killed if
   * it does not exit in time: whichever way the tasks ended, no worker outlives the scope.
   */
  close(exit: Exit.Exit<unknown, unknown>, shutdownTimeout?: Duration.Duration): Effect.Effect<void> {
    return Effect.uninterruptible(
      Effect.andThen(
        closeExecutor(exit, { drain: this.shutdown(), stop: this.stopTasks() }, shutdownTimeout),
        this.stopAll()
      )
    )
  }

  /**
   * Cancels the queued tasks and interrupts the running ones (a worker whose task outlives the grace period
   * is killed), then waits until every future is done.
   */
  private stopTasks(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.isShutdown = true
      this.wakeAllWaiters()
      return this.cancelQueued().pipe(
        Effect.andThen(
          Effect.suspend(() =>
            Effect.forEach([...this.outstanding], interrupt, { concurrency: "unbounded", discard: true })
          )
        ),
        Effect.andThen(this.awaitOutstanding())
      )
    })
  }

  private enqueue(
    task: Task.Any,
    codec: CallerCodec,
    chunk: boolean,
    payload: unknown,
    transfer: ReadonlyArray<Transferable> | undefined
  ): FutureImpl<any, any> {
    const future = new FutureImpl<any, any>()
    this.outstanding.add(future)
    // Told first when the future ends, before its waiters resume: the stats are settled when they look.
    future.owner = this.onDone
    if (this.broken !== undefined) {
      finishUnsafe(future, Exit.fail(this.broken))
      return future
    }
    const item: Item = {
      id: this.nextId++,
      future,
      task,
      codec,
      payload,
      chunk,
      transfer,
      slot: undefined,
      startedAt: 0,
      interrupting: false,
      graceTimer: undefined
    }
    const slot = this.idle.pop()
    if (slot !== undefined) {
      this.clearIdleTimer(slot)
      setRunningUnsafe(future)
      this.hand(slot, [item])
      return future
    }
    this.queue.push(item)
    this.queued.add(future)
    this.stats.queueChanged()
    this.spawnForQueue()
    return future
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

  /** Wakes whoever waits for the pool to drain, once no future is outstanding and no callback is running. */
  private checkDrained(): void {
    if (this.drained !== undefined && this.outstanding.size === 0 && this.completing === 0) {
      const drained = this.drained
      this.drained = undefined
      Deferred.doneUnsafe(drained, Exit.void)
    }
  }

  /** Hands tasks (already `running`) to a free worker in one message; it runs them in order. */
  private hand(slot: Slot, items: Array<Item>): void {
    slot.state = "busy"
    slot.batch = items
    this.stats.setBusy(++this.busy)
    const message: Array<unknown> = [Protocol.RUN]
    let transfer: Array<Transferable> | ReadonlyArray<Transferable> | undefined = undefined
    for (const item of items) {
      item.slot = slot
      item.future.interruptor = Effect.sync(() => this.interruptHanded(item))
      message.push(item.chunk ? -item.id : item.id, item.task.name, item.payload)
      if (item.transfer !== undefined)
        transfer = transfer === undefined ? item.transfer : [...transfer, ...item.transfer]
    }
    items[0]!.startedAt = performance.now()
    try {
      slot.handle.post(message as unknown as Protocol.ToWorker, transfer)
      this.dispatch.messages++
      this.dispatch.tasks += items.length
      if (items.length > this.dispatch.largest) this.dispatch.largest = items.length
    } catch (error) {
      // Structured clone refused an input (what the submit-time check could not see): find which, one by one.
      if (items.length > 1) return this.handOneByOne(slot, items)
      this.notSent(slot, items, [[items[0]!, error]])
    }
  }

  private handOneByOne(slot: Slot, items: Array<Item>): void {
    const refused: Array<[Item, unknown]> = []
    for (const item of items) {
      try {
        slot.handle.post([Protocol.RUN, item.chunk ? -item.id : item.id, item.task.name, item.payload], item.transfer)
        this.dispatch.messages++
        this.dispatch.tasks++
      } catch (error) {
        refused.push([item, error])
      }
    }
    this.notSent(slot, items, refused)
  }

  private notSent(slot: Slot, items: Array<Item>, refused: ReadonlyArray<readonly [Item, unknown]>): void {
    if (refused.length === 0) return
    for (const [item] of refused) item.slot = undefined
    slot.batch = items.filter((item) => item.slot === slot)
    if (slot.batch.length === 0) {
      this.stats.setBusy(--this.busy)
      this.available(slot)
    } else {
      slot.batch[0]!.startedAt = performance.now()
    }
    this.ending += refused.length
    for (const [item, error] of refused) {
      this.ending--
      this.completeUnsafe(
        item.future,
        Exit.fail(new TaskEncodeError({ task: item.task.name, message: `the input cannot be sent: ${String(error)}` }))
      )
    }
  }

  /**
   * Interrupts a handed task: the worker interrupts its fiber if it is executing, or drops it and answers
   * "interrupted" at once if it has not started. A task waiting to be handed again after its worker died
   * just ends.
   */
  private interruptHanded(item: Item): void {
    if (item.interrupting) return
    const slot = item.slot
    if (slot === undefined) {
      const index = this.retry.indexOf(item)
      if (index >= 0) {
        this.retry.splice(index, 1)
        this.completeUnsafe(item.future, Exit.interrupt())
      }
      return
    }
    item.interrupting = true
    try {
      slot.handle.post([Protocol.INTERRUPT, item.id])
    } catch {
      // The worker is going away; its exit completes the future.
    }
    if (slot.batch[0] === item) this.startGraceTimer(slot, item)
  }

  /** Synchronous code cannot be interrupted: past the grace period the worker goes, and the task with it. */
  private startGraceTimer(slot: Slot, item: Item): void {
    item.graceTimer = setTimeout(() => {
      if (slot.batch[0] === item) slot.handle.kill()
    }, this.options.interruptGracePeriod)
  }

  /** A worker can take work: the next queued task, or it waits (or retires). */
  private available(slot: Slot): void {
    if (slot.state === "retiring" || slot.state === "dead" || slot.exiting) return
    if (isStarting(slot)) {
      this.starting--
      this.clearStartTimer(slot)
    }
    if (slot.tasksRun >= this.options.maxTasksPerWorker) {
      this.retire(slot)
      this.replenish()
      return
    }
    const items = this.takeWork(slot)
    if (items.length > 0) return this.hand(slot, items)
    if (this.isShutdown || this.broken !== undefined) {
      this.retire(slot)
      return
    }
    slot.state = "idle"
    this.idle.push(slot)
    if (this.options.idleTimeout !== Infinity && this.active > this.options.minWorkers) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = undefined
        if (slot.state === "idle" && this.active > this.options.minWorkers) this.retire(slot)
      }, this.options.idleTimeout)
      slot.idleTimer.unref()
    }
  }

  /**
   * The tasks a free worker gets: one, or with a queue deeper than the free workers, a batch of up to
   * `min(MAX_BATCH, ceil(waiting / workers), what is left of its maxTasksPerWorker)`, marked running.
   */
  private takeWork(slot: Slot): Array<Item> {
    const waiting = this.retry.length + this.queued.size
    if (waiting === 0) return []
    const limit =
      waiting > this.idle.length + 1
        ? Math.min(
            MAX_BATCH,
            Math.ceil(waiting / Math.max(1, this.active)),
            this.options.maxTasksPerWorker - slot.tasksRun
          )
        : 1
    const items: Array<Item> = []
    while (items.length < limit && this.retry.length > 0) items.push(this.retry.shift()!)
    let taken = 0
    while (items.length < limit) {
      const item = this.queue.shift()
      if (item === undefined) break
      if (setRunningUnsafe(item.future) !== "running") continue
      this.queued.delete(item.future)
      items.push(item)
      taken++
    }
    if (taken > 0) {
      this.stats.queueChanged()
      for (let i = 0; i < taken; i++) this.wakeWaiter()
    }
    return items
  }

  private onMessage(slot: Slot, message: Protocol.FromWorker): void {
    switch (message[0]) {
      case Protocol.RESULT: {
        const item = slot.batch[0]
        if (item !== undefined && item.id === message[1]) return this.finish(slot, item, message[2], message[3])
        if (message[2] === Protocol.INTERRUPTED) {
          const index = slot.batch.findIndex((handed) => handed.id === message[1])
          if (index > 0) return this.droppedByWorker(slot, index)
        }
        if (message[1] === INITIALIZER_ID && slot.state === "initializing") {
          return this.initialized(slot, message[2], message[3])
        }
        return
      }
      case Protocol.READY: {
        if (slot.state !== "starting") return
        this.startCrashes = 0
        this.loading--
        this.everReady = true
        const initializer = this.options.initializer
        if (initializer === undefined) {
          this.available(slot)
        } else {
          slot.state = "initializing"
          slot.handle.post([Protocol.RUN, INITIALIZER_ID, initializer.task.name, initializer.payload])
        }
        // Whoever waits for a first worker resumes synchronously, inside this call: the pool is settled, and
        // the next worker is spawned only after the first tasks went to this one.
        Deferred.doneUnsafe(this.firstReady, Exit.void)
        this.spawnWaiting()
        return
      }
      case Protocol.LOAD_FAILED: {
        const [, reason, error] = message
        const cause = Protocol.deserializeError(error)
        slot.startFailure = new BrokenExecutorError({
          message:
            reason === "import"
              ? `a worker could not import the task module ${this.options.moduleHref}: ${describeCause(cause)}`
              : `a worker could not serve the task module ${this.options.moduleHref}: ${describeCause(cause)}`,
          cause
        })
        slot.handle.kill()
        return
      }
    }
  }

  private finish(slot: Slot, item: Item, status: Protocol.Status, value: unknown): void {
    slot.batch.shift()
    item.slot = undefined
    this.ending++
    slot.tasksRun++
    if (item.graceTimer !== undefined) clearTimeout(item.graceTimer)
    const now = performance.now()
    this.stats.ran(now - item.startedAt)
    const exit = decodeResult(item.task, item.codec, status, value)
    const next = slot.batch[0]
    if (next === undefined) {
      this.stats.setBusy(--this.busy)
      // The worker gets its next task before this future's waiters and callbacks run.
      this.available(slot)
    } else {
      next.startedAt = now
      if (next.interrupting && next.graceTimer === undefined) this.startGraceTimer(slot, next)
    }
    this.ending--
    this.completeUnsafe(item.future, exit)
  }

  /** The worker dropped a handed task it had not started (an interrupt): it ends cancelled, out of order. */
  private droppedByWorker(slot: Slot, index: number): void {
    const [item] = slot.batch.splice(index, 1)
    item!.slot = undefined
    this.completeUnsafe(item!.future, Exit.interrupt())
  }

  private initialized(slot: Slot, status: Protocol.Status, value: unknown): void {
    if (status === Protocol.SUCCESS) return this.available(slot)
    const task = this.options.initializer!.task
    const exit = decodeResult(task, callerCodec(task), status, value)
    const cause = Exit.isFailure(exit) ? squashCause(exit) : undefined
    slot.startFailure = new BrokenExecutorError({
      message: `the initializer "${task.name}" failed: ${describeCause(cause)}`,
      cause
    })
    this.breakPool(slot.startFailure)
    slot.handle.kill()
  }

  private onExiting(slot: Slot): void {
    slot.exiting = true
    this.clearIdleTimer(slot)
    const idleIndex = this.idle.indexOf(slot)
    if (idleIndex >= 0) this.idle.splice(idleIndex, 1)
    // Gone as a worker already, like one that retires: a replacement need not wait for its channel's end.
    if (slot.state !== "retiring" && !isStarting(slot)) {
      slot.state = "retiring"
      this.stats.setWorkers(--this.active)
      this.replenish()
    }
  }

  private onExit(slot: Slot, description: string, error: unknown): void {
    const previous = slot.state
    slot.state = "dead"
    this.slots.delete(slot)
    this.clearIdleTimer(slot)
    this.clearStartTimer(slot)
    const idleIndex = this.idle.indexOf(slot)
    if (idleIndex >= 0) this.idle.splice(idleIndex, 1)
    if (previous !== "retiring") this.stats.setWorkers(--this.active)
    // The first task without a reply was executing; the rest never started.
    const [item, ...notStarted] = slot.batch
    slot.batch = []
    if (item !== undefined) {
      item.slot = undefined
      if (item.graceTimer !== undefined) clearTimeout(item.graceTimer)
      this.stats.setBusy(--this.busy)
    }
    const skipped: Array<Item> = []
    const failed: Array<Item> = []
    for (const other of notStarted) {
      other.slot = undefined
      if (other.interrupting) skipped.push(other)
      else if (this.broken !== undefined || this.closing) failed.push(other)
      else this.retry.push(other)
    }
    if (previous === "starting" || previous === "initializing") {
      this.starting--
      if (previous === "starting") this.loading--
      // A worker whose module or initializer fails, or that cannot start in time, would fail the same way again:
      // the pool is broken, as Python's would be. One killed from outside while it started is replaced, like any
      // crashed worker, unless workers keep dying before they are ready.
      if (!this.closing && (slot.startFailure !== undefined || ++this.startCrashes >= 3)) {
        this.breakPool(
          slot.startFailure ??
            new BrokenExecutorError({ message: `a worker could not start: ${description}`, cause: error })
        )
      }
    }
    this.replenish()
    this.spawnWaiting()
    // Idle workers take the tasks that never started, before anything queued.
    if (this.retry.length > 0) for (const idle of this.idle.splice(0)) this.wakeIdle(idle)
    // Futures and waiters last: they resume synchronously, inside these calls, and must see a settled pool.
    this.ending += skipped.length + failed.length
    if (item !== undefined) {
      this.completeUnsafe(
        item.future,
        item.interrupting
          ? Exit.interrupt()
          : Exit.fail(
              new BrokenExecutorError({ message: `${description} while it ran task "${item.task.name}"`, cause: error })
            )
      )
    }
    for (const other of skipped) {
      this.ending--
      this.completeUnsafe(other.future, Exit.interrupt())
    }
    for (const other of failed) {
      this.ending--
      this.completeUnsafe(
        other.future,
        Exit.fail(
          this.broken ??
            new BrokenExecutorError({ message: `${description} before it ran task "${other.task.name}"`, cause: error })
        )
      )
    }
    // A pool that broke before any worker was ready fails the Layer's build.
    if (this.broken !== undefined) Deferred.doneUnsafe(this.firstReady, Exit.fail(this.broken))
    Deferred.doneUnsafe(slot.exited, Exit.void)
  }

  private wakeIdle(slot: Slot): void {
    this.clearIdleTimer(slot)
    this.available(slot)
  }

  /** After a worker left: replace it if there is queued work or fewer than `minWorkers` remain. */
  private replenish(): void {
    if (this.closing || this.broken !== undefined) return
    // Queued tasks still run after shutdown() (unless cancelled): they need a worker.
    this.spawnForQueue()
    if (this.isShutdown) return
    while (this.active < this.options.minWorkers) {
      if (!this.addWorker()) return
    }
  }

  private spawnForQueue(): void {
    while (this.active < this.options.maxWorkers && this.starting < this.queued.size + this.retry.length) {
      if (!this.addWorker()) return
    }
  }

  /** A new worker: spawned now, or when fewer than `startLimit` workers are loading. False if the pool cannot take one. */
  private addWorker(): boolean {
    if (this.closing || this.broken !== undefined) return false
    const slot: Slot = {
      handle: undefined as unknown as WorkerHandle,
      state: "waiting",
      batch: [],
      tasksRun: 0,
      exiting: false,
      startFailure: undefined,
      idleTimer: undefined,
      startTimer: undefined,
      exited: Deferred.makeUnsafe<void>()
    }
    this.slots.add(slot)
    this.starting++
    this.stats.setWorkers(++this.active)
    this.waiting.push(slot)
    this.spawnWaiting()
    return this.broken === undefined
  }

  /**
   * Spawns waiting workers while few enough are loading. Until a worker has been ready, one loads at a time:
   * nothing competes with it for the cores, so the first tasks start as early as they can (on this 2-core
   * machine, 4 threads that load 1 at a time had their first ready in ~230 ms, 2 at a time ~375 ms, all 4 ~740 ms).
   */
  private spawnWaiting(): void {
    const limit = this.everReady ? this.options.startLimit : 1
    while (this.loading < limit && this.waiting.length > 0 && !this.closing) {
      this.spawnWorker(this.waiting.shift()!)
    }
  }

  private spawnWorker(slot: Slot): void {
    slot.state = "starting"
    this.loading++
    try {
      slot.handle = this.options.spawn(this.options.moduleHref, {
        onMessage: (message) => this.onMessage(slot, message),
        onExiting: () => this.onExiting(slot),
        onExit: (description, error) => this.onExit(slot, description, error)
      })
    } catch (error) {
      this.loading--
      this.forget(slot)
      this.breakPool(
        new BrokenExecutorError({
          message: `a worker could not be spawned: ${describeCause(error)}`,
          cause: error
        })
      )
      return
    }
    // A module whose top-level code never finishes must not leave the pool waiting for ever.
    slot.startTimer = setTimeout(() => {
      slot.startTimer = undefined
      if (!isStarting(slot)) return
      slot.startFailure ??= new BrokenExecutorError({
        message:
          slot.state === "starting"
            ? `a worker did not load the task module ${this.options.moduleHref} within ${this.options.startTimeout} ms`
            : `the initializer "${this.options.initializer?.task.name}" did not finish within ${this.options.startTimeout} ms`
      })
      slot.handle.kill()
    }, this.options.startTimeout)
  }

  /** A worker that never ran: no longer counted, and nothing to wait for. */
  private forget(slot: Slot): void {
    slot.state = "dead"
    this.slots.delete(slot)
    this.starting--
    this.stats.setWorkers(--this.active)
    Deferred.doneUnsafe(slot.exited, Exit.void)
  }

  private retire(slot: Slot): void {
    if (slot.state === "retiring" || slot.state === "dead") return
    if (slot.state === "waiting") {
      this.waiting.splice(this.waiting.indexOf(slot), 1)
      return this.forget(slot)
    }
    if (slot.state === "starting") this.loading--
    if (isStarting(slot)) this.starting--
    this.clearIdleTimer(slot)
    this.clearStartTimer(slot)
    const idleIndex = this.idle.indexOf(slot)
    if (idleIndex >= 0) this.idle.splice(idleIndex, 1)
    slot.state = "retiring"
    this.stats.setWorkers(--this.active)
    try {
      slot.handle.close()
    } catch {
      slot.handle.kill()
    }
  }

  /** The pool cannot serve (a worker cannot start, the initializer failed): fail what waits, and all later. */
  private breakPool(error: BrokenExecutorError): void {
    if (this.broken !== undefined) return
    this.broken = error
    const retried = this.retry.splice(0)
    const items = [...retried, ...this.queue.takeAll()]
    for (const item of items) this.queued.delete(item.future)
    this.stats.queueChanged()
    for (const slot of [...this.idle, ...this.waiting]) this.retire(slot)
    this.ending += retried.length
    for (const [index, item] of items.entries()) {
      if (index < retried.length) this.ending--
      this.completeUnsafe(item.future, Exit.fail(error))
    }
    this.wakeAllWaiters()
  }

  /**
   * Completes a future from a worker event. Its waiters resume synchronously, inside `finishUnsafe`, before
   * its done callbacks run; `completing` keeps a drain (shutdown, scope close) waiting until they have.
   */
  private completeUnsafe(future: FutureImpl<any, any>, exit: Exit.Exit<any, any>): void {
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

  private clearStartTimer(slot: Slot): void {
    if (slot.startTimer !== undefined) {
      clearTimeout(slot.startTimer)
      slot.startTimer = undefined
    }
  }

  private clearIdleTimer(slot: Slot): void {
    if (slot.idleTimer !== undefined) {
      clearTimeout(slot.idleTimer)
      slot.idleTimer = undefined
    }
  }

  private readonly waitForRoom: Effect.Effect<void> = Effect.callback<void>((resume) => {
    const waiter = () => resume(Effect.void)
    this.roomWaiters.push(waiter)
    return Effect.sync(() => {
      const index = this.roomWaiters.indexOf(waiter)
      if (index >= 0) this.roomWaiters.splice(index, 1)
    })
  })

  private wakeWaiter(): void {
    if (this.roomWaiters.length > 0) this.roomWaiters.shift()!()
  }

  private wakeAllWaiters(): void {
    for (const waiter of this.roomWaiters.splice(0)) waiter()
  }

  private cancelQueued(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const items = this.queue.takeAll()
      this.stats.queueChanged()
      this.wakeAllWaiters()
      return Effect.forEach(items, (item) => cancel(item.future), { discard: true })
    })
  }

  /** Waits until every future is done and its callbacks have run. */
  private awaitOutstanding(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.outstanding.size === 0 && this.completing === 0) return Effect.void
      this.drained ??= Deferred.makeUnsafe<void>()
      return Deferred.await(this.drained)
    })
  }

  /** Closes every worker, kills the ones that do not exit within `closeTimeout`, and waits until all are gone. */
  private stopAll(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.closing = true
      const slots = [...this.slots]
      for (const slot of slots) this.retire(slot)
      return Effect.forEach(
        slots,
        (slot) =>
          Deferred.await(slot.exited).pipe(
            Effect.timeoutOption(this.options.closeTimeout),
            Effect.flatMap((exited) =>
              Option.isSome(exited)
                ? Effect.void
                : Effect.andThen(
                    Effect.sync(() => slot.handle.kill()),
                    Deferred.await(slot.exited)
                  )
            )
          ),
        { concurrency: "unbounded", discard: true }
      )
    })
  }
}

const pools = new WeakMap<object, WorkerPool>()

/** Remembers which pool serves an executor, for tests that look inside (batch sizes, handed tasks). */
export const registerPool = (executor: object, pool: WorkerPool): void => {
  pools.set(executor, pool)
}

/** The pool behind a Node executor's service, for tests. */
export const poolOf = (executor: object): WorkerPool | undefined => pools.get(executor)

const decodeResult = (
  task: Task.Any,
  codec: CallerCodec,
  status: Protocol.Status,
  value: unknown
): Exit.Exit<unknown, unknown> => {
  switch (status) {
    case Protocol.SUCCESS: {
      const decoded = codec.decodeSuccess(value)
      return decoded.ok
        ? Exit.succeed(decoded.value)
        : Exit.fail(new TaskDecodeError({ task: task.name, message: decoded.message }))
    }
    case Protocol.FAILURE: {
      const decoded = codec.decodeFailure(value)
      return decoded.ok
        ? Exit.fail(decoded.value)
        : Exit.fail(new TaskDecodeError({ task: task.name, message: decoded.message }))
    }
    case Protocol.DEFECT:
      return Exit.die(Protocol.deserializeError(value as Protocol.SerializedError))
    case Protocol.INTERRUPTED:
      return Exit.interrupt()
    case Protocol.DECODE_FAILED:
      return Exit.fail(new TaskDecodeError({ task: task.name, message: String(value) }))
    case Protocol.ENCODE_FAILED:
      return Exit.fail(new TaskEncodeError({ task: task.name, message: String(value) }))
    case Protocol.CHUNK: {
      const results = value as ReadonlyArray<unknown>
      const exits: Array<Exit.Exit<unknown, unknown>> = []
      for (let i = 0; i < results.length; i += 2) {
        exits.push(decodeResult(task, codec, results[i] as Protocol.Status, results[i + 1]))
      }
      return Exit.succeed(exits)
    }
  }
}

/** Encodes each input of a chunk; the first that cannot be encoded refuses the whole chunk. */
const encodeChunk = (codec: CallerCodec, inputs: ReadonlyArray<unknown>): Coded => {
  const values: Array<unknown> = []
  let transfer: Array<Transferable> | undefined = undefined
  for (const input of inputs) {
    const encoded = codec.encodeInput(input)
    if (!encoded.ok) return encoded
    values.push(encoded.value)
    if (encoded.transfer !== undefined) (transfer ??= []).push(...encoded.transfer)
  }
  return transfer === undefined ? { ok: true, value: values } : { ok: true, value: values, transfer }
}

const squashCause = (exit: Exit.Failure<unknown, unknown>): unknown => {
  const reason = exit.cause.reasons[0]
  if (reason === undefined) return new Error("interrupted")
  switch (reason._tag) {
    case "Fail":
      return reason.error
    case "Die":
      return reason.defect
    default:
      return new Error("interrupted")
  }
}
