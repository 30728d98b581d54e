/**
 * The worker pool behind both Node executors. It wires the parts: the lifecycle and queue
 * (`poolLifecycle.ts`), the workers and the policy that spawns, replaces, recycles and retires them
 * (`workerSupply.ts`, each worker a tagged union in `poolWorker.ts`), the pure dispatch decisions
 * (`dispatch.ts`) and the decoding of answers (`taskCodec.ts`). What is left here is what happens on each
 * event: a submit, a worker's message, its exit.
 *
 * A deep queue is handed out in batches: every handed task is `running` (Python's call queue does the same),
 * the first task of a batch without an answer is the one executing, a crash fails it alone, and the batch's
 * tasks that never started go to other workers.
 *
 * Worker events arrive as Node callbacks, outside any fiber; each is handled synchronously (one event at a
 * time, like a lock), the completions it causes are collected, and they run once the pool is consistent.
 *
 * @internal
 */
import type { Transferable } from "node:worker_threads"
import type { Task } from "@effect-futures/core"
import { BrokenExecutorError, ExecutorShutdownError, TaskEncodeError } from "@effect-futures/core/FutureError"
import { type FutureImpl, interrupt, setRunningUnsafe } from "@effect-futures/core/internal/future"
import { closeExecutor } from "@effect-futures/core/internal/scopeClose"
import { StatsTracker } from "@effect-futures/core/internal/stats"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { describeCause } from "./describeCause.ts"
import { batchSize, runMessage, splitDeadBatch } from "./dispatch.ts"
import { PoolLifecycle } from "./poolLifecycle.ts"
import * as Worker from "./poolWorker.ts"
import type { PoolWorker, WorkItem } from "./poolWorker.ts"
import * as Protocol from "./protocol.ts"
import { callerCodec, decodeResult, encodeChunk, squashExit } from "./taskCodec.ts"
import type { Spawn } from "./transport.ts"
import { WorkerSupply } from "./workerSupply.ts"

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
  /** At most this many workers load the task module at once, once one has (the first loads alone). */
  readonly startLimit: number
}

const INITIALIZER_ID = 0

type Submitted = Effect.Effect<FutureImpl<any, any>, ExecutorShutdownError | TaskEncodeError>

export class WorkerPool {
  readonly stats: StatsTracker
  private readonly life: PoolLifecycle<WorkItem>
  private readonly supply: WorkerSupply
  /** Handed tasks that never started because their worker died: already running, they go first. */
  private readonly rehand: Array<WorkItem> = []
  private nextId = INITIALIZER_ID + 1
  /** Done when a first worker has loaded the task module; failed if the pool broke before. */
  private readonly firstReady = Deferred.makeUnsafe<void, BrokenExecutorError>()

  private readonly options: PoolOptions

  constructor(options: PoolOptions, context: Context.Context<never>) {
    this.options = options
    this.stats = new StatsTracker(options.maxWorkers, () => this.life.queued.size, options.kind, context, options.name)
    this.life = new PoolLifecycle(this.stats, Effect.runForkWith(context) as (effect: Effect.Effect<void>) => unknown)
    this.supply = new WorkerSupply({ ...options, initializerName: options.initializer?.task.name }, this.stats, {
      // Each event is handled, then the completions it made due run.
      onMessage: (worker, message) => {
        this.onMessage(worker, message)
        this.life.flush()
      },
      onExiting: (worker) => this.onExiting(worker),
      onExit: (worker, description, error) => {
        this.onExit(worker, description, error)
        this.life.flush()
      },
      onSpawnFailed: (error) => this.breakPool(error)
    })
  }

  private get waiting(): number {
    return this.rehand.length + this.life.queued.size
  }

  /**
   * Starts `count` workers and waits until the first has loaded the task module: it serves the first tasks
   * while the others load. Fails if the pool breaks first: a module that a worker cannot load fails every
   * worker the same way, the first included.
   */
  warmUp(count: number): Effect.Effect<void, BrokenExecutorError> {
    return Effect.suspend(() => {
      let started = 0
      while (started < count && this.supply.add()) started++
      this.life.flush()
      const broken = this.life.broken
      if (broken !== undefined) return Effect.fail(broken)
      return count === 0 ? Effect.void : Deferred.await(this.firstReady)
    })
  }

  submit(task: Task.Any, input: unknown, transfer: ReadonlyArray<Transferable> | undefined): Submitted {
    return this.submitWith(task, false, input, transfer)
  }

  /** Submits one unit of work that runs the task over each input in order; its future gets their `Exit`s. */
  submitChunk(task: Task.Any, inputs: ReadonlyArray<unknown>): Submitted {
    return this.submitWith(task, true, inputs, undefined)
  }

  private submitWith(
    task: Task.Any,
    chunk: boolean,
    input: unknown,
    transfer: ReadonlyArray<Transferable> | undefined
  ): Submitted {
    return Effect.suspend(() => {
      if (this.life.shutDown) {
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
      if (
        this.life.queued.size >= this.options.maxQueue &&
        this.supply.idle.length === 0 &&
        this.life.broken === undefined
      ) {
        return Effect.andThen(this.life.waitForRoom, this.submitWith(task, chunk, input, transfer))
      }
      const future = this.life.track()
      const transferList =
        encoded.transfer === undefined
          ? transfer
          : transfer === undefined
            ? encoded.transfer
            : [...transfer, ...encoded.transfer]
      this.enqueue(task, codec, future, chunk, encoded.value, transferList)
      this.life.flush()
      return Effect.succeed(future)
    })
  }

  private enqueue(
    task: Task.Any,
    codec: WorkItem["codec"],
    future: FutureImpl<any, any>,
    chunk: boolean,
    payload: unknown,
    transfer: ReadonlyArray<Transferable> | undefined
  ): void {
    const broken = this.life.broken
    if (broken !== undefined) return this.life.complete(future, Exit.fail(broken))
    const item: WorkItem = {
      id: this.nextId++,
      future,
      task,
      taskName: task.name,
      codec,
      payload,
      chunk,
      transfer,
      worker: undefined,
      startedAt: 0,
      interrupting: false
    }
    const idle = this.supply.idle
    if (idle.length > 0) {
      setRunningUnsafe(future)
      return this.hand(idle[idle.length - 1]!, [item])
    }
    this.life.enqueue(item)
    this.supply.spawnFor(this.waiting)
  }

  shutdown(options?: { readonly wait?: boolean | undefined; readonly cancelFutures?: boolean | undefined }) {
    return Effect.suspend(() => {
      this.life.shutDownNow()
      const cancelQueued = options?.cancelFutures === true ? this.life.cancelQueued() : Effect.void
      return Effect.andThen(
        cancelQueued,
        Effect.suspend(() => {
          // Workers with nothing left to do go now; busy ones go when their queue runs dry.
          if (this.waiting === 0) this.supply.retireIdle()
          return options?.wait === false ? Effect.void : this.life.awaitOutstanding()
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
    const stopTasks = Effect.suspend(() => {
      this.life.shutDownNow()
      return this.life
        .cancelQueued()
        .pipe(Effect.andThen(this.life.interruptOutstanding(interrupt)), Effect.andThen(this.life.awaitOutstanding()))
    })
    const stopWorkers = Effect.suspend(() => {
      this.life.close()
      return this.supply.stopAll()
    })
    return Effect.uninterruptible(
      Effect.andThen(closeExecutor(exit, { drain: this.shutdown(), stop: stopTasks }, shutdownTimeout), stopWorkers)
    )
  }

  /** Hands tasks (already `running`) to a free worker in one message; it runs them in order. */
  private hand(worker: PoolWorker, items: Array<WorkItem>): void {
    for (const item of items) {
      item.worker = worker
      item.future.interruptor = Effect.sync(() => {
        this.interruptHanded(item)
        this.life.flush()
      })
    }
    this.supply.set(worker, Worker.busy(items))
    items[0]!.startedAt = performance.now()
    const { message, transfer } = runMessage(items)
    try {
      worker.handle.post(message, transfer)
    } catch (error) {
      // Structured clone refused an input (what the submit-time check could not see): find which, one by one.
      this.notSent(worker, items, items.length === 1 ? [[items[0]!, error]] : this.postOneByOne(worker, items))
    }
  }

  private postOneByOne(worker: PoolWorker, items: Array<WorkItem>): Array<readonly [WorkItem, unknown]> {
    const refused: Array<readonly [WorkItem, unknown]> = []
    for (const item of items) {
      try {
        worker.handle.post([Protocol.RUN, item.chunk ? -item.id : item.id, item.taskName, item.payload], item.transfer)
      } catch (error) {
        refused.push([item, error])
      }
    }
    return refused
  }

  private notSent(worker: PoolWorker, items: Array<WorkItem>, refused: ReadonlyArray<readonly [WorkItem, unknown]>) {
    if (refused.length === 0) return
    for (const [item] of refused) item.worker = undefined
    const sent = items.filter((item) => item.worker === worker)
    items.length = 0
    if (sent.length === 0) {
      this.available(worker)
    } else {
      items.push(...sent)
      sent[0]!.startedAt = performance.now()
    }
    for (const [item, error] of refused) {
      const message = `the input cannot be sent: ${String(error)}`
      this.life.complete(item.future, Exit.fail(new TaskEncodeError({ task: item.taskName, message })))
    }
  }

  /**
   * Interrupts a handed task: the worker interrupts its fiber if it is executing, or drops it and answers
   * "interrupted" at once if it has not started. A task waiting to be handed again after its worker died
   * just ends.
   */
  private interruptHanded(item: WorkItem): void {
    if (item.interrupting) return
    const worker = item.worker
    if (worker === undefined) {
      const index = this.rehand.indexOf(item)
      if (index >= 0) {
        this.rehand.splice(index, 1)
        this.life.complete(item.future, Exit.interrupt())
      }
      return
    }
    item.interrupting = true
    try {
      worker.handle.post([Protocol.INTERRUPT, item.id])
    } catch {
      // The worker is going away; its exit completes the future.
    }
    if (Worker.batchOf(worker.state)[0] === item) this.startGrace(worker)
  }

  /** Synchronous code cannot be interrupted: past the grace period the worker goes, and the task with it. */
  private startGrace(worker: PoolWorker): void {
    const state = worker.state
    if (state._tag !== "Busy" && state._tag !== "Retiring") return
    const item = state.batch[0]
    state.grace = setTimeout(() => {
      if (Worker.batchOf(worker.state)[0] === item) worker.handle.kill()
    }, this.options.interruptGracePeriod)
  }

  /** A worker can take work: the next queued tasks, or it waits (or retires). */
  private available(worker: PoolWorker): void {
    if (worker.state._tag === "Retiring" || worker.state._tag === "Dead" || worker.exiting) return
    if (this.supply.spent(worker)) {
      this.supply.retire(worker)
      return this.replenish()
    }
    const items = this.takeWork(worker)
    if (items.length > 0) return this.hand(worker, items)
    if (this.life.shutDown || this.life.broken !== undefined) return this.supply.retire(worker)
    this.supply.park(worker)
  }

  /** The tasks a free worker gets (see `batchSize`), marked running: tasks to hand again first. */
  private takeWork(worker: PoolWorker): Array<WorkItem> {
    const limit = batchSize({
      waiting: this.waiting,
      otherIdle: this.supply.idle.length - (worker.state._tag === "Idle" ? 1 : 0),
      workers: this.supply.active,
      quotaLeft: this.options.maxTasksPerWorker - worker.tasksRun
    })
    if (limit === 0) return []
    const items = this.rehand.splice(0, limit)
    let taken = 0
    while (items.length < limit) {
      const item = this.life.queue.shift()
      if (item === undefined) break
      if (setRunningUnsafe(item.future) !== "running") continue
      this.life.queued.delete(item.future)
      items.push(item)
      taken++
    }
    if (taken > 0) {
      this.stats.queueChanged()
      for (let i = 0; i < taken; i++) this.life.wakeWaiter()
    }
    return items
  }

  private onMessage(worker: PoolWorker, message: Protocol.FromWorker): void {
    switch (message[0]) {
      case Protocol.RESULT: {
        const batch = Worker.batchOf(worker.state)
        if (batch[0]?.id === message[1]) return this.answered(worker, message[2], message[3])
        if (message[2] === Protocol.INTERRUPTED) {
          const index = batch.findIndex((handed) => handed.id === message[1])
          if (index > 0) return this.droppedByWorker(worker, index)
        }
        if (message[1] === INITIALIZER_ID && worker.state._tag === "Initializing") {
          return this.initialized(worker, message[2], message[3])
        }
        return
      }
      case Protocol.READY:
        return this.ready(worker)
      case Protocol.LOAD_FAILED: {
        const [, reason, error] = message
        const cause = Protocol.deserializeError(error)
        const what = reason === "import" ? "import" : "serve"
        worker.startFailure = new BrokenExecutorError({
          message: `a worker could not ${what} the task module ${this.options.moduleHref}: ${describeCause(cause)}`,
          cause
        })
        return worker.handle.kill()
      }
    }
  }

  /** The executing task of the worker's batch answered: the worker moves on, then its future completes. */
  private answered(worker: PoolWorker, status: Protocol.Status, value: unknown): void {
    const state = worker.state as Extract<Worker.WorkerState, { batch: unknown }>
    const item = state.batch.shift()!
    item.worker = undefined
    worker.tasksRun++
    if (state.grace !== undefined) {
      clearTimeout(state.grace)
      state.grace = undefined
    }
    const now = performance.now()
    this.stats.ran(now - item.startedAt)
    const next = state.batch[0]
    if (next === undefined) {
      this.available(worker)
    } else {
      next.startedAt = now
      if (next.interrupting) this.startGrace(worker)
    }
    this.life.complete(item.future, decodeResult(item.task, item.codec, status, value))
  }

  /** The worker dropped a handed task it had not started (an interrupt): it ends cancelled, out of order. */
  private droppedByWorker(worker: PoolWorker, index: number): void {
    const [item] = (worker.state as Extract<Worker.WorkerState, { batch: unknown }>).batch.splice(index, 1)
    item!.worker = undefined
    this.life.complete(item!.future, Exit.interrupt())
  }

  private ready(worker: PoolWorker): void {
    if (worker.state._tag !== "Starting") return
    const initializer = this.options.initializer
    this.supply.loaded(worker, initializer !== undefined)
    if (initializer === undefined) this.available(worker)
    else worker.handle.post([Protocol.RUN, INITIALIZER_ID, initializer.task.name, initializer.payload])
    // Whoever waits for a first worker resumes synchronously, inside this call: the first tasks go to this
    // worker before the next one is spawned.
    Deferred.doneUnsafe(this.firstReady, Exit.void)
    this.supply.spawnOwed()
  }

  private initialized(worker: PoolWorker, status: Protocol.Status, value: unknown): void {
    if (status === Protocol.SUCCESS) return this.available(worker)
    const task = this.options.initializer!.task
    const exit = decodeResult(task, callerCodec(task), status, value)
    const cause = Exit.isFailure(exit) ? squashExit(exit) : undefined
    worker.startFailure = new BrokenExecutorError({
      message: `the initializer "${task.name}" failed: ${describeCause(cause)}`,
      cause
    })
    this.breakPool(worker.startFailure)
    worker.handle.kill()
  }

  /** Its process is gone, its last answers still being read: no more work, and a replacement may start. */
  private onExiting(worker: PoolWorker): void {
    worker.exiting = true
    if (worker.state._tag === "Idle" || worker.state._tag === "Busy") {
      this.supply.set(worker, Worker.retiring(worker.state))
      this.replenish()
    }
  }

  private onExit(worker: PoolWorker, description: string, error: unknown): void {
    const previous = worker.state
    this.supply.died(worker)
    const batch = Worker.batchOf(previous)
    for (const item of batch) item.worker = undefined
    const { executing, cancelled, rehand, failed } = splitDeadBatch(batch, this.life.serving)
    this.rehand.push(...rehand)
    if (Worker.isStarting(previous) && this.life.phase._tag !== "Closed" && this.supply.diedStarting(worker)) {
      this.breakPool(
        worker.startFailure ??
          new BrokenExecutorError({ message: `a worker could not start: ${description}`, cause: error })
      )
    }
    this.replenish()
    this.supply.spawnOwed()
    // Idle workers take the tasks that never started, before anything queued.
    if (this.rehand.length > 0) for (const idle of [...this.supply.idle]) this.available(idle)
    if (executing !== undefined) {
      const message = `${description} while it ran task "${executing.taskName}"`
      const exit = executing.interrupting
        ? Exit.interrupt()
        : Exit.fail(new BrokenExecutorError({ message, cause: error }))
      this.life.complete(executing.future, exit)
    }
    for (const item of cancelled) this.life.complete(item.future, Exit.interrupt())
    for (const item of failed) {
      const message = `${description} before it ran task "${item.taskName}"`
      this.life.complete(item.future, Exit.fail(this.life.broken ?? new BrokenExecutorError({ message, cause: error })))
    }
    // A pool that broke before any worker was ready fails the Layer's build.
    const broken = this.life.broken
    if (broken !== undefined) Deferred.doneUnsafe(this.firstReady, Exit.fail(broken))
    Deferred.doneUnsafe(worker.exited, Exit.void)
  }

  /** After a worker left: replace it if there is queued work or fewer than `minWorkers` remain. */
  private replenish(): void {
    if (!this.life.serving || this.life.phase._tag === "Closed") return
    // Queued tasks still run after shutdown() (unless cancelled): they need a worker.
    this.supply.spawnFor(this.waiting)
    if (!this.life.shutDown) this.supply.keepMinimum()
  }

  /** The pool cannot serve (a worker cannot start, the initializer failed): fail what waits, and all later. */
  private breakPool(error: BrokenExecutorError): void {
    if (this.life.broken !== undefined) return
    this.life.breakWith(error)
    const items = [...this.rehand.splice(0), ...this.life.takeQueued()]
    this.supply.retireIdle()
    for (const item of items) this.life.complete(item.future, Exit.fail(error))
    this.life.wakeAllWaiters()
  }
}
