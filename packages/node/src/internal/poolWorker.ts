/**
 * One worker as the pool sees it (the code that runs inside a worker is `worker.ts`): its handle, the
 * tasks it holds and its timers, as a tagged union changed only by the named transitions below, so a worker
 * cannot be idle and hold a batch, or busy without one.
 *
 * @internal
 */
import type { Task } from "@effect-futures/core"
import type { BrokenExecutorError } from "@effect-futures/core/FutureError"
import type { FutureImpl } from "@effect-futures/core/internal/future"
import type * as Deferred from "effect/Deferred"
import type { Transferable } from "node:worker_threads"
import type { TraceParent } from "./protocol.ts"
import type { CallerCodec } from "./taskCodec.ts"
import type { WorkerHandle } from "./transport.ts"

type Timer = ReturnType<typeof setTimeout>

/** A submitted task, from its queueing to its answer. */
export interface WorkItem {
  readonly id: number
  readonly future: FutureImpl<any, any>
  readonly task: Task.Any
  readonly taskName: string
  readonly codec: CallerCodec
  /** The encoded input, or for a chunk the array of encoded inputs. */
  readonly payload: unknown
  /** A chunk: the task runs over each input of `payload` and the future gets every input's `Exit`. */
  readonly chunk: boolean
  readonly transfer: ReadonlyArray<Transferable> | undefined
  /** The caller's span of a traced task, the parent of its span in the worker. */
  readonly trace: TraceParent | undefined
  /** The worker holding it, from its hand-off until it ends or that worker dies. */
  worker: PoolWorker | undefined
  /** When it started executing (the worker reached it), for the run-time histogram. */
  startedAt: number
  interrupting: boolean
}

/**
 * `Starting`: spawned, loading the task module; `Initializing`: running the initializer (in both, `failure` is
 * why it cannot start, once it said or its start timed out, and `exiting` that its process is gone while its
 * last messages are read: it takes no work); `Idle`: waiting for work; `Busy`: holding a batch, whose first task is executing (`grace` runs while that one is being
 * interrupted); `Retiring`: asked to exit, or its process has exited and its last answers are being read (a
 * batch it still holds may yet be answered); `Dead`: gone.
 */
export type WorkerState =
  | Starting
  | (Omit<Starting, "_tag"> & { readonly _tag: "Initializing" })
  | { readonly _tag: "Idle"; readonly idleTimer: Timer | undefined }
  | { readonly _tag: "Busy"; readonly batch: Array<WorkItem>; grace: Timer | undefined }
  | { readonly _tag: "Retiring"; readonly batch: Array<WorkItem>; grace: Timer | undefined }
  | { readonly _tag: "Dead" }

/** A worker loading the task module. */
export interface Starting {
  readonly _tag: "Starting"
  readonly startTimer: Timer
  failure: BrokenExecutorError | undefined
  exiting: boolean
}

/** A worker not ready yet: loading the task module or running the initializer. */
export type NotReady = Extract<WorkerState, { readonly startTimer: Timer }>

/** A worker that holds a batch. */
export type Holding = Extract<WorkerState, { readonly batch: Array<WorkItem> }>

export interface PoolWorker {
  readonly handle: WorkerHandle
  state: WorkerState
  /** Tasks answered, for recycling. */
  tasksRun: number
  readonly exited: Deferred.Deferred<void>
}

export const isStarting = (state: WorkerState): state is NotReady =>
  state._tag === "Starting" || state._tag === "Initializing"

/** A worker that takes work once it is free: not retiring or dead, nor exiting while it starts. */
export const takesWork = (state: WorkerState): boolean =>
  state._tag === "Retiring" || state._tag === "Dead" ? false : !isStarting(state) || !state.exiting

/** Why a worker that died before it was ready could not start, if it said (or its start timed out). */
export const startFailureOf = (state: WorkerState): BrokenExecutorError | undefined =>
  isStarting(state) ? state.failure : undefined

export const starting = (startTimer: Timer): WorkerState => ({
  _tag: "Starting",
  startTimer,
  failure: undefined,
  exiting: false
})

/** The tasks the worker holds without an answer, in order: the first is executing. */
export const batchOf = (state: WorkerState): ReadonlyArray<WorkItem> =>
  state._tag === "Busy" || state._tag === "Retiring" ? state.batch : []

/** The module loaded; the initializer runs (what the worker said while loading stays). */
export const initializing = (state: Starting): WorkerState => ({ ...state, _tag: "Initializing" })
const idleForever: WorkerState = { _tag: "Idle", idleTimer: undefined }
/** Idle, until `idleTimer` retires it (none: one shared state, nothing allocated per task). */
export const idle = (idleTimer: Timer | undefined): WorkerState =>
  idleTimer === undefined ? idleForever : { _tag: "Idle", idleTimer }
export const busy = (batch: Array<WorkItem>): WorkerState => ({ _tag: "Busy", batch, grace: undefined })
export const dead: WorkerState = { _tag: "Dead" }

/** Retiring keeps the batch (answers may still come while its channel drains) and its grace timer. */
export const retiring = (state: WorkerState): WorkerState =>
  state._tag === "Busy" || state._tag === "Retiring"
    ? { _tag: "Retiring", batch: state.batch, grace: state.grace }
    : { _tag: "Retiring", batch: [], grace: undefined }
