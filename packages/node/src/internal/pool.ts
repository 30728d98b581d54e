/**
 * The worker pool behind both Node executors: core's executor lifecycle (admission, the queue, shutdown and
 * scope close) with worker hooks, the workers and their policy (`workerSupply.ts`, each worker a tagged union
 * in `poolWorker.ts`), and what a worker's events do, work handed out and answered included
 * (`workerEvents.ts`, its decisions pure in `dispatch.ts`, answers decoded in `taskCodec.ts`).
 *
 * A deep queue is handed out in batches: every handed task is `running` (Python's call queue does the same),
 * the first task of a batch without an answer is the one executing, a crash fails it alone, and the batch's
 * tasks that never started go to other workers.
 *
 * Worker events arrive as Node callbacks, outside any fiber; each is handled synchronously (one event at a
 * time, like a lock), the completions it causes are collected, and they run (`Lifecycle.flush`) once the pool
 * is consistent.
 *
 * @internal
 */
import { Executor, type Task } from "@effect-futures/core"
import { BrokenExecutorError, ExecutorShutdownError, TaskEncodeError } from "@effect-futures/core/FutureError"
import { FutureImpl, setRunningUnsafe } from "@effect-futures/core/internal/future"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import type { StatsTracker } from "@effect-futures/core/internal/stats"
import type { AttemptOptions } from "@effect-futures/core/internal/taskControl"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Transferable } from "node:worker_threads"
import { INITIALIZER_ID, type PoolOptions, type PoolState, waiting, wakeAllWaiters, wakeWaiter } from "./poolState.ts"
import type { WorkItem } from "./poolWorker.ts"
import { type CallerCodec, callerCodec, encodeChunk } from "./taskCodec.ts"
import { unknownTaskHint } from "./taskModule.ts"
import { breakPool, hand, listenerOf } from "./workerEvents.ts"
import { WorkerSupply } from "./workerSupply.ts"

export type { PoolOptions } from "./poolState.ts"

type Submitted = Effect.Effect<FutureImpl<any, any>, ExecutorShutdownError | TaskEncodeError>

export class WorkerPool {
  readonly stats: StatsTracker
  private readonly pool: PoolState
  private nextId = INITIALIZER_ID + 1

  constructor(options: PoolOptions, context: Context.Context<never>) {
    const life: Lifecycle.Lifecycle<WorkItem> = Lifecycle.make<WorkItem>(
      {
        idle: (): boolean => life.queued === 0 && life.running.length === 0 && !this.pool.supply.stopping,
        stopWorkers: Effect.suspend(() => this.pool.supply.stopAll()),
        onShutdown: () => {
          wakeAllWaiters(this.pool)
          // Workers with nothing left to do go now; busy ones go when the queue runs dry.
          if (waiting(this.pool) === 0) this.pool.supply.retireIdle()
        }
      },
      { kind: options.kind, name: options.name, maxWorkers: options.maxWorkers, context, tracing: options.tracing }
    )
    this.stats = life.stats
    const supply = new WorkerSupply(
      { ...options, initializerName: options.initializer?.task.name },
      life.stats,
      listenerOf(() => this.pool)
    )
    this.pool = {
      options,
      life,
      supply,
      rehand: [],
      roomWaiters: [],
      firstReady: Deferred.makeUnsafe<void, BrokenExecutorError>()
    }
  }

  /**
   * Starts `count` workers and waits until the first has loaded the task module: it serves the first tasks
   * while the others load. Fails if the pool breaks first: a module that a worker cannot load fails every
   * worker the same way, the first included.
   */
  warmUp(count: number): Effect.Effect<void, BrokenExecutorError> {
    return Effect.suspend(() => {
      let started = 0
      while (started < count && this.pool.supply.add()) started++
      Lifecycle.flush(this.pool.life)
      const broken = Lifecycle.brokenError(this.pool.life)
      if (broken !== undefined) return Effect.fail(broken)
      return count === 0 ? Effect.void : Deferred.await(this.pool.firstReady)
    })
  }

  submit(task: Task.Any, input: unknown, options: AttemptOptions | undefined): Submitted {
    return this.submitWith(
      task,
      false,
      input,
      (options as { readonly transfer?: ReadonlyArray<Transferable> } | undefined)?.transfer,
      options
    )
  }

  /** Submits one unit of work that runs the task over each input in order; its future gets their `Exit`s. */
  submitChunk(task: Task.Any, inputs: ReadonlyArray<unknown>): Submitted {
    return this.submitWith(task, true, inputs, undefined, undefined)
  }

  private submitWith(
    task: Task.Any,
    chunk: boolean,
    input: unknown,
    transfer: ReadonlyArray<Transferable> | undefined,
    submitOptions: AttemptOptions | undefined
  ): Submitted {
    return Effect.withFiber((fiber) => {
      const { life, options, supply } = this.pool
      // A broken executor still takes the submit: its future fails with the executor's error.
      const refused = Lifecycle.admit(life)
      if (refused?._tag === "ExecutorShutdownError") return Effect.fail(refused)
      if (!options.taskNames.has(task.name)) {
        return Effect.fail(
          new TaskEncodeError({
            task: task.name,
            message:
              `the task module ${options.moduleHref} does not export a task named "${task.name}"` +
              unknownTaskHint(task.name, options.taskNames)
          })
        )
      }
      const codec = callerCodec(task)
      const encoded = chunk ? encodeChunk(codec, input as ReadonlyArray<unknown>) : codec.encodeInput(input)
      if (!encoded.ok) return Effect.fail(new TaskEncodeError({ task: task.name, message: encoded.message }))
      if (life.queued >= options.maxQueue && supply.idle.length === 0 && Lifecycle.isOpen(life)) {
        return Effect.andThen(this.waitForRoom, this.submitWith(task, chunk, input, transfer, submitOptions))
      }
      const transferList =
        encoded.transfer === undefined
          ? transfer
          : transfer === undefined
            ? encoded.transfer
            : [...transfer, ...encoded.transfer]
      const future = this.enqueue(task, codec, chunk, encoded.value, transferList, fiber.context, submitOptions)
      Lifecycle.flush(life)
      return Effect.succeed(future)
    })
  }

  private enqueue(
    task: Task.Any,
    codec: CallerCodec,
    chunk: boolean,
    payload: unknown,
    transfer: ReadonlyArray<Transferable> | undefined,
    context: Context.Context<never>,
    options: AttemptOptions | undefined
  ): FutureImpl<any, any> {
    const { life, supply } = this.pool
    const future = new FutureImpl<any, any>()
    future.owner = this.onDone
    const control = Lifecycle.controlOf(life, context, task.name, future, options)
    future.control = control
    const span = control?.span
    const broken = Lifecycle.brokenError(life)
    if (broken !== undefined) {
      // Never queued: its end leaves no count.
      future.startedAt = 0
      Lifecycle.completeLater(life, future, Exit.fail(broken))
      return future
    }
    const item: WorkItem = {
      id: this.nextId++,
      future,
      task,
      taskName: task.name,
      codec,
      payload,
      chunk,
      transfer,
      // A span the tracer samples out is not worth recording in the worker.
      trace: span === undefined || !span.sampled ? undefined : [span.traceId, span.spanId, true],
      worker: undefined,
      startedAt: 0,
      interrupting: false
    }
    const idle = supply.idle
    if (idle.length > 0) {
      setRunningUnsafe(future)
      hand(this.pool, idle[idle.length - 1]!, [item])
      return future
    }
    Lifecycle.enqueue(life, item)
    supply.spawnFor(waiting(this.pool))
    return future
  }

  /** Told first when a future ends, before its waiters resume: the counts are settled when they look. */
  private readonly onDone = (future: FutureImpl<any, any>): void => {
    const { life } = this.pool
    const wasQueued = future.startedAt === undefined
    Lifecycle.removeRunning(life, future)
    Lifecycle.futureEnded(life, future)
    // A queued future cancelled by its owner frees room for a submit waiting under `maxQueue`.
    if (wasQueued) wakeWaiter(this.pool)
    Lifecycle.notifyIfDrained(life)
  }

  private readonly waitForRoom: Effect.Effect<void> = Effect.callback<void>((resume) => {
    const waiter = () => resume(Effect.void)
    this.pool.roomWaiters.push(waiter)
    return Effect.sync(() => {
      const index = this.pool.roomWaiters.indexOf(waiter)
      if (index >= 0) this.pool.roomWaiters.splice(index, 1)
    })
  })

  get whenShutdown(): Effect.Effect<void> {
    return Lifecycle.whenShutdown(this.pool.life)
  }

  shutdown(options?: { readonly wait?: boolean | undefined; readonly cancelFutures?: boolean | undefined }) {
    return Lifecycle.shutdown(this.pool.life, options)
  }

  /**
   * Python 3.14's `terminate_workers` / `kill_workers`: a shutdown that cancels the queued tasks, the pool broken
   * (no worker is replaced, tasks waiting to be handed again fail), then every worker signalled; returns once
   * they are gone and every future has ended. The tasks their workers ran fail with `BrokenExecutorError`.
   */
  forceShutdown(operation: Executor.ForceShutdownOperation): Effect.Effect<void> {
    const { life, supply } = this.pool
    const signalled = Effect.suspend(() => {
      const what = operation === "terminate" ? "terminated (terminateWorkers)" : "killed (killWorkers)"
      breakPool(this.pool, new BrokenExecutorError({ message: `the executor's workers were ${what}` }))
      Lifecycle.flush(life)
      return supply.signalAll(operation === "terminate" ? "SIGTERM" : "SIGKILL")
    })
    return Effect.suspend(() => {
      Lifecycle.beginShutdown(life)
      return Lifecycle.cancelQueued(life)
    }).pipe(Effect.andThen(Effect.uninterruptible(signalled)), Effect.andThen(Lifecycle.awaitDrained(life)))
  }

  /**
   * Scope close (core's rule): a normal exit is `shutdown()`, until an interruption or `shutdownTimeout` stops
   * the tasks; a failure or interruption stops them at once. Then every worker is closed, and killed if it
   * does not exit in time: whichever way the tasks ended, no worker outlives the scope.
   */
  close(exit: Exit.Exit<unknown, unknown>, shutdownTimeout?: Duration.Duration): Effect.Effect<void> {
    return Lifecycle.close(this.pool.life, exit, shutdownTimeout)
  }
}

/**
 * The `Executor` service over a pool, as both node Layers provide it. Core types a transfer list as plain
 * objects; one the platform cannot move fails its post, which the pool reports as the future's TaskEncodeError.
 */
export const executorOf = (pool: WorkerPool, maxWorkers: number) =>
  Executor.Executor.of({
    maxWorkers,
    submitTask: (task, input, submitOptions) => pool.submit(task, input, submitOptions) as any,
    submitChunk: (task, inputs) => pool.submitChunk(task, inputs) as any,
    shutdown: (shutdownOptions) => pool.shutdown(shutdownOptions),
    stats: Effect.sync(() => pool.stats.snapshot()),
    whenShutdown: pool.whenShutdown,
    forceShutdown: (operation) => pool.forceShutdown(operation)
  })
