/**
 * Which workers the pool has, and the policy that changes that: spawning (the first loads alone, then up to
 * `startLimit` at once), the start timeout, replacement after a worker leaves, recycling after
 * `maxTasksPerWorker`, idle retirement above `minWorkers`, and closing every worker at the end. Every
 * change of a worker's state goes through {@link WorkerSupply.set}, which keeps the counts the stats report.
 *
 * @internal
 */
import { BrokenExecutorError } from "@effect-futures/core/FutureError"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import type { StatsTracker } from "@effect-futures/core/internal/stats"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { describeCause } from "@effect-futures/core/internal/describeCause"
import * as Worker from "./poolWorker.ts"
import type { PoolWorker, WorkerState } from "./poolWorker.ts"
import type * as Protocol from "./protocol.ts"
import type { Spawn } from "./transport.ts"

export interface SupplyOptions {
  readonly spawn: Spawn
  readonly moduleHref: string
  readonly maxWorkers: number
  readonly minWorkers: number
  /** Milliseconds an idle worker above `minWorkers` lives; `Infinity` for ever. */
  readonly idleTimeout: number
  readonly maxTasksPerWorker: number
  readonly initializerName: string | undefined
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

/** What the pool hears from its workers. */
export interface WorkerListener {
  readonly onMessage: (worker: PoolWorker, message: Protocol.FromWorker) => void
  readonly onExiting: (worker: PoolWorker) => void
  readonly onExit: (worker: PoolWorker, description: string, error: unknown) => void
  /** A worker could not be spawned at all. */
  readonly onSpawnFailed: (error: BrokenExecutorError) => void
}

const counts = (): Record<WorkerState["_tag"], number> => ({
  Starting: 0,
  Initializing: 0,
  Idle: 0,
  Busy: 0,
  Retiring: 0,
  Dead: 0
})

/** Serving or about to: counted as one of the pool's workers. */
const counted = (tag: WorkerState["_tag"]) => tag !== "Retiring" && tag !== "Dead"

export class WorkerSupply {
  /** Spawned and not dead yet. */
  readonly workers = new Set<PoolWorker>()
  /** Idle workers, the most recently idle last. */
  readonly idle: Array<PoolWorker> = []
  private readonly count = counts()
  /** Workers wanted but not spawned yet: they wait until fewer than `startLimit` are loading. */
  private owed = 0
  /** A worker has loaded the task module: the others may load side by side. */
  private everReady = false
  /** Workers that died while starting, with none ready since: a few are bad luck, more a broken setup. */
  private startCrashes = 0

  private readonly options: SupplyOptions
  private readonly stats: StatsTracker
  private readonly listener: WorkerListener

  constructor(options: SupplyOptions, stats: StatsTracker, listener: WorkerListener) {
    this.options = options
    this.stats = stats
    this.listener = listener
  }

  /** Workers serving or about to (owed, starting, initializing, idle, busy). */
  get active(): number {
    return this.owed + this.count.Starting + this.count.Initializing + this.count.Idle + this.count.Busy
  }

  /**
   * A worker is still stopping an interrupted task (its grace period runs): a task past its deadline, whose
   * future has already failed. The pool is not idle until that worker is free or gone.
   */
  get stopping(): boolean {
    for (const worker of this.workers) {
      const state = worker.state
      if ((state._tag === "Busy" || state._tag === "Retiring") && state.grace !== undefined) return true
    }
    return false
  }

  get starting(): number {
    return this.owed + this.count.Starting + this.count.Initializing
  }

  /** The one place a worker's state changes: its old state's timers end, the counts and `idle` follow. */
  set(worker: PoolWorker, next: WorkerState): void {
    const previous = worker.state
    worker.state = next
    const timer = timerOf(previous)
    if (timer !== undefined && timer !== timerOf(next)) clearTimeout(timer)
    this.count[previous._tag]--
    this.count[next._tag]++
    if (previous._tag === "Idle") this.idle.splice(this.idle.lastIndexOf(worker), 1)
    if (next._tag === "Idle") this.idle.push(worker)
    if ((previous._tag === "Busy") !== (next._tag === "Busy")) this.stats.setBusy(this.count.Busy)
    if (counted(previous._tag) !== counted(next._tag)) this.stats.setWorkers(this.active)
  }

  /** A new worker: spawned now, or once fewer than `startLimit` are loading. False if spawning failed. */
  add(): boolean {
    this.owed++
    this.stats.setWorkers(this.active)
    return this.spawnOwed()
  }

  /** Spawns owed workers while few enough are loading; one at a time until a worker has been ready. */
  spawnOwed(): boolean {
    const limit = this.everReady ? this.options.startLimit : 1
    while (this.count.Starting < limit && this.owed > 0) {
      this.owed--
      if (!this.spawnOne()) {
        this.stats.setWorkers(this.active)
        return false
      }
    }
    return true
  }

  private spawnOne(): boolean {
    const { options, listener } = this
    let worker: PoolWorker
    try {
      const handle = options.spawn(options.moduleHref, {
        onMessage: (message) => listener.onMessage(worker, message),
        onExiting: () => listener.onExiting(worker),
        onExit: (description, error) => listener.onExit(worker, description, error)
      })
      worker = {
        handle,
        state: Worker.starting(this.startTimer(() => worker)),
        tasksRun: 0,
        exited: Deferred.makeUnsafe<void>()
      }
    } catch (error) {
      listener.onSpawnFailed(
        new BrokenExecutorError({ message: `a worker could not be spawned: ${describeCause(error)}`, cause: error })
      )
      return false
    }
    this.count.Starting++
    this.workers.add(worker)
    return true
  }

  /** A module whose top-level code never finishes must not leave the pool waiting for ever. */
  private startTimer(worker: () => PoolWorker): ReturnType<typeof setTimeout> {
    return setTimeout(() => {
      const { state } = worker()
      if (!Worker.isStarting(state)) return
      state.failure ??= new BrokenExecutorError({
        message:
          state._tag === "Starting"
            ? `a worker did not load the task module ${this.options.moduleHref} within ${this.options.startTimeout} ms`
            : `the initializer "${this.options.initializerName}" did not finish within ${this.options.startTimeout} ms`
      })
      worker().handle.kill()
    }, this.options.startTimeout)
  }

  /** The worker loaded the task module: the others may load now. */
  loaded(worker: PoolWorker, initializing: boolean): void {
    this.startCrashes = 0
    this.everReady = true
    if (initializing && worker.state._tag === "Starting") this.set(worker, Worker.initializing(worker.state))
  }

  /**
   * A worker died before it was ready. True if the pool is broken: a module or initializer that failed, or a
   * worker that could not start in time, would fail the same way again; one killed from outside while it
   * started is replaced, like any crashed worker, unless workers keep dying before they are ready.
   */
  diedStarting(failure: BrokenExecutorError | undefined): boolean {
    return failure !== undefined || ++this.startCrashes >= 3
  }

  /** Recycling: the worker has run its quota of tasks. */
  spent(worker: PoolWorker): boolean {
    return worker.tasksRun >= this.options.maxTasksPerWorker
  }

  /** Parks a free worker; above `minWorkers` it retires after `idleTimeout`. */
  park(worker: PoolWorker): void {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined
    if (this.options.idleTimeout !== Infinity && this.active > this.options.minWorkers) {
      timer = setTimeout(() => {
        if (worker.state._tag === "Idle" && this.active > this.options.minWorkers) this.retire(worker)
      }, this.options.idleTimeout)
      timer.unref()
    }
    this.set(worker, Worker.idle(timer))
  }

  /** Asks a worker to exit; it no longer counts. */
  retire(worker: PoolWorker): void {
    if (worker.state._tag === "Retiring" || worker.state._tag === "Dead") return
    this.set(worker, Worker.retiring(worker.state))
    try {
      worker.handle.close()
    } catch {
      worker.handle.kill()
    }
  }

  /** Retires the idle workers and forgets the owed ones (the pool hands out no more work). */
  retireIdle(): void {
    this.owed = 0
    for (const worker of [...this.idle]) this.retire(worker)
    this.stats.setWorkers(this.active)
  }

  /**
   * After a worker left: replace it if there is work waiting, or fewer than `minWorkers` remain (not after
   * `shutdown()`). Nothing once the pool broke or closes.
   */
  replace(waiting: number, life: Lifecycle.Lifecycle<any>): void {
    if (!Lifecycle.isServing(life)) return
    // Queued tasks still run after shutdown() (unless cancelled): they need a worker.
    this.spawnFor(waiting)
    if (!Lifecycle.isShutdown(life)) this.keepMinimum()
  }

  /** Spawns workers for waiting tasks (one per task not yet covered by a starting worker), up to `maxWorkers`. */
  spawnFor(waiting: number): void {
    while (this.active < this.options.maxWorkers && this.starting < waiting && this.add());
  }

  /** Keeps at least `minWorkers`. */
  keepMinimum(): void {
    while (this.active < this.options.minWorkers && this.add());
  }

  /** Closes every worker, kills the ones that do not exit within `closeTimeout`, and waits until all are gone. */
  stopAll(): Effect.Effect<void> {
    return this.endAll((worker) => this.retire(worker))
  }

  /**
   * Signals every worker (`terminateWorkers` / `killWorkers`): each stops counting and takes no more work, and
   * its exit fails what it held. Kills the ones still there after `closeTimeout` and waits until all are gone.
   */
  signalAll(signal: "SIGTERM" | "SIGKILL"): Effect.Effect<void> {
    return this.endAll((worker) => {
      if (worker.state._tag !== "Retiring") this.set(worker, Worker.retiring(worker.state))
      worker.handle.kill(signal)
    })
  }

  private endAll(end: (worker: PoolWorker) => void): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.owed = 0
      const workers = [...this.workers]
      for (const worker of workers) end(worker)
      this.stats.setWorkers(this.active)
      return Effect.forEach(workers, (worker) => this.awaitExit(worker), { concurrency: "unbounded", discard: true })
    })
  }

  private awaitExit(worker: PoolWorker): Effect.Effect<void> {
    return Deferred.await(worker.exited).pipe(
      Effect.timeoutOption(this.options.closeTimeout),
      Effect.flatMap((exited) =>
        Option.isSome(exited)
          ? Effect.void
          : Effect.andThen(
              Effect.sync(() => worker.handle.kill()),
              Deferred.await(worker.exited)
            )
      )
    )
  }

  /** The worker is gone: it leaves the set (the pool tells whoever waits for its exit, last). */
  died(worker: PoolWorker): void {
    this.set(worker, Worker.dead)
    this.workers.delete(worker)
  }
}

const timerOf = (state: WorkerState): ReturnType<typeof setTimeout> | undefined => {
  switch (state._tag) {
    case "Starting":
    case "Initializing":
      return state.startTimer
    case "Idle":
      return state.idleTimer
    case "Busy":
    case "Retiring":
      return state.grace
    case "Dead":
      return undefined
  }
}
