/**
 * The messages between a pool and its workers. Plain arrays with a numeric tag: they are the cheapest shape
 * to structured-clone (threads) and to serialize with `advanced` serialization (processes), and the hot
 * path sends one per task each way.
 *
 * Erasable TypeScript only: the worker entry imports this file under plain Node.
 *
 * @internal
 */
import type { Transferable } from "node:worker_threads"
import type * as Tracer from "effect/Tracer"

/**
 * Parent → worker: run these tasks, one after another, in order. Each task is three fields, `id`, `task`
 * and `payload` (already encoded by the caller); a negative `id` (`-id`) marks a chunk, whose payload is
 * an array of inputs the task runs over. One message carries one task on a shallow queue and a batch of
 * them on a deep one; the worker replies to each task as it ends.
 */
export const RUN = 0
/** Parent → worker: interrupt the task's fiber, or skip the task if it has not started. */
export const INTERRUPT = 1
/** Parent → worker: exit when idle. */
export const CLOSE = 2

/** Worker → parent: the task module loaded; these are its task names. */
export const READY = 0
/** Worker → parent: the task module could not be loaded or indexed. */
export const LOAD_FAILED = 1
/** Worker → parent: a task ended. */
export const RESULT = 2

/** How a task ended in the worker. */
export const SUCCESS = 0
/** The task failed with its typed error, encoded with the task's failure schema. */
export const FAILURE = 1
/** The task died; the value is a {@link SerializedError}. */
export const DEFECT = 2
/** The task's fiber was interrupted (by an interrupt request). */
export const INTERRUPTED = 3
/** The worker could not decode the input; the value is a message. */
export const DECODE_FAILED = 4
/** The worker could not encode the output; the value is a message. */
export const ENCODE_FAILED = 5
/**
 * A chunk ended: the value is a flat array of `status, value` pairs, one per input in order, up to and
 * including the first that did not succeed.
 */
export const CHUNK = 6

export type Status = 0 | 1 | 2 | 3 | 4 | 5 | 6

export type ToWorker =
  | readonly [typeof RUN, ...tasks: Array<number | string | unknown>]
  | readonly [typeof INTERRUPT, id: number]
  | readonly [typeof CLOSE]

export type FromWorker =
  | readonly [typeof READY, names: ReadonlyArray<string>]
  | readonly [typeof LOAD_FAILED, reason: LoadFailure, error: SerializedError]
  | readonly [typeof RESULT, id: number, status: Status, value: unknown, spans?: ReadonlyArray<WireSpan> | undefined]

/** Why a task module could not be served. */
export type LoadFailure = "import" | "duplicate" | "initializer"

/** An error as it crosses a boundary: name, message and stack survive, the class does not. */
export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly stack?: string | undefined
}

/** A task span in the caller, as a worker's span names its parent: trace id, span id, sampled. */
export type TraceParent = readonly [traceId: string, spanId: string, sampled: boolean]

/** One ended span, as it crosses back: plain values only. */
export type WireSpan = readonly [
  name: string,
  spanId: string,
  parentId: string | undefined,
  kind: Tracer.SpanKind,
  startTime: bigint,
  endTime: bigint,
  attributes: ReadonlyArray<readonly [string, unknown]>,
  events: ReadonlyArray<readonly [name: string, time: bigint, attributes: Record<string, unknown>]>,
  outcome: 0 | 1 | 2 | 3,
  error: SerializedError | undefined
]

/**
 * Transfer lists that `Task.fromFunction` results ask for (`NodeExecutor.transfer`). A global registry, so
 * that the task module and the worker entry agree even if they load different copies of this package.
 */
export const transferRegistry: WeakMap<object, ReadonlyArray<Transferable>> = ((globalThis as any)[
  Symbol.for("@effect-futures/node/transfer")
] ??= new WeakMap())
