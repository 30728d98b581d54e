/**
 * What the pool's parts share: its options and a plain record of its state (the lifecycle and queue from
 * core, the workers, the tasks to hand again), changed only by the functions of `workerEvents.ts`
 * (and the pool's submit), as Effect's `Pool.ts` changes its record.
 *
 * @internal
 */
import type { Task } from "@effect-futures/core"
import type { BrokenExecutorError } from "@effect-futures/core/FutureError"
import type * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import type * as Deferred from "effect/Deferred"
import type { WorkItem } from "./poolWorker.ts"
import type { Spawn } from "./transport.ts"
import type { WorkerSupply } from "./workerSupply.ts"

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
  /** Spans for its tasks (`tracing` of the Layer). */
  readonly tracing: boolean
}

export interface PoolState {
  readonly options: PoolOptions
  readonly life: Lifecycle.Lifecycle<WorkItem>
  readonly supply: WorkerSupply
  /** Handed tasks that never started because their worker died: already running, they go first. */
  readonly rehand: Array<WorkItem>
  /** Submits waiting for room under `maxQueue`. */
  readonly roomWaiters: Array<() => void>
  /** Done when a first worker has loaded the task module; failed if the pool broke before. */
  readonly firstReady: Deferred.Deferred<void, BrokenExecutorError>
}

/** The task id of the initializer; tasks count from 1. */
export const INITIALIZER_ID = 0

/** Tasks waiting for a worker: to be handed again, and queued. */
export const waiting = (pool: PoolState): number => pool.rehand.length + pool.life.queued

export const wakeWaiter = (pool: PoolState): void => {
  if (pool.roomWaiters.length > 0) pool.roomWaiters.shift()!()
}

export const wakeAllWaiters = (pool: PoolState): void => {
  for (const waiter of pool.roomWaiters.splice(0)) waiter()
}
