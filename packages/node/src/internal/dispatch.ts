/**
 * The pool's decisions about work, as pure functions (tested without threads): how many tasks a free
 * worker gets in one message, what that message is, and what becomes of the tasks a dead worker held.
 *
 * @internal
 */
import type { Transferable } from "node:worker_threads"
import * as Protocol from "./protocol.ts"
import type { TraceParent } from "./protocol.ts"

/** At most this many tasks in one message to a worker. */
export const MAX_BATCH = 32

/**
 * How many tasks a free worker gets: one, or with a queue deeper than the free workers a batch of up to
 * `min(MAX_BATCH, ceil(waiting / workers), what is left of its quota)`, so that a single task's latency
 * is unchanged and a deep queue is shared among the workers.
 */
export const batchSize = (pool: {
  /** Tasks waiting to be handed (to be handed again first, then queued). */
  readonly waiting: number
  /** Free workers besides this one. */
  readonly otherIdle: number
  /** Workers alive and not retiring. */
  readonly workers: number
  /** Tasks this worker may still run before it is recycled. */
  readonly quotaLeft: number
}): number => {
  if (pool.waiting === 0) return 0
  if (pool.waiting <= pool.otherIdle + 1) return 1
  return Math.max(1, Math.min(MAX_BATCH, Math.ceil(pool.waiting / Math.max(1, pool.workers)), pool.quotaLeft))
}

/** What the pool hands a worker: a task's id (negative for a chunk), its name and encoded input. */
export interface Dispatched {
  readonly id: number
  readonly chunk: boolean
  readonly taskName: string
  readonly payload: unknown
  readonly transfer: ReadonlyArray<Transferable> | undefined
  /** The caller's span of a traced task, the parent of its span in the worker. */
  readonly trace: TraceParent | undefined
}

/** A task's name as the worker gets it: with its caller's span when it is traced. */
export const namedFor = (item: Dispatched): string | readonly [string, ...TraceParent] =>
  item.trace === undefined ? item.taskName : [item.taskName, ...item.trace]

/** The one `RUN` message of a batch, and everything it moves. */
export const runMessage = (
  items: ReadonlyArray<Dispatched>
): { readonly message: Protocol.ToWorker; readonly transfer: ReadonlyArray<Transferable> | undefined } => {
  const message: Array<unknown> = [Protocol.RUN]
  let transfer: ReadonlyArray<Transferable> | undefined = undefined
  for (const item of items) {
    message.push(item.chunk ? -item.id : item.id, namedFor(item), item.payload)
    if (item.transfer !== undefined) transfer = transfer === undefined ? item.transfer : [...transfer, ...item.transfer]
  }
  return { message: message as unknown as Protocol.ToWorker, transfer }
}

/** What becomes of the tasks a worker held when it died. */
export interface DeadBatch<Item> {
  /** The first task without an answer: the one it was executing, which fails (or ends cancelled). */
  readonly executing: Item | undefined
  /** Tasks that never started and were being interrupted: they end cancelled. */
  readonly cancelled: ReadonlyArray<Item>
  /** Tasks that never started: handed to other workers before anything queued, so each runs once. */
  readonly rehand: ReadonlyArray<Item>
  /** Tasks that never started, in a pool that hands out no more work (broken or closing): they fail. */
  readonly failed: ReadonlyArray<Item>
}

/** Splits a dead worker's batch; `canRehand` is false once the pool hands out no more work. */
export const splitDeadBatch = <Item extends { readonly interrupting: boolean }>(
  batch: ReadonlyArray<Item>,
  canRehand: boolean
): DeadBatch<Item> => {
  const [executing, ...notStarted] = batch
  const cancelled: Array<Item> = []
  const rehand: Array<Item> = []
  const failed: Array<Item> = []
  for (const item of notStarted) {
    if (item.interrupting) cancelled.push(item)
    else if (canRehand) rehand.push(item)
    else failed.push(item)
  }
  return { executing, cancelled, rehand, failed }
}
