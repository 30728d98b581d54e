/**
 * Work going to workers and coming back: a free worker takes the next tasks (a batch on a deep queue), the
 * message that hands them, the answer of the executing task, an interrupt of a handed task and its grace
 * period. Completions are collected (`Lifecycle.completeLater`) and run by whoever handles the event, once the
 * pool is consistent.
 *
 * @internal
 */
import { TaskEncodeError } from "@effect-futures/core/FutureError"
import { setRunningUnsafe } from "@effect-futures/core/internal/future"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { batchSize, namedFor, runMessage } from "./dispatch.ts"
import { type PoolState, waiting, wakeWaiter } from "./poolState.ts"
import * as Worker from "./poolWorker.ts"
import type { PoolWorker, WorkItem } from "./poolWorker.ts"
import * as Protocol from "./protocol.ts"
import type { WireSpan } from "./protocol.ts"
import { emitSpans } from "./remoteSpans.ts"
import { decodeResult } from "./taskCodec.ts"

/** A worker can take work: the next tasks, or it waits (or retires). */
export const available = (pool: PoolState, worker: PoolWorker): void => {
  if (worker.state._tag === "Retiring" || worker.state._tag === "Dead" || worker.exiting) return
  const { life, supply } = pool
  if (supply.spent(worker)) {
    supply.retire(worker)
    return supply.replace(waiting(pool), life)
  }
  const items = takeWork(pool, worker)
  if (items.length > 0) return hand(pool, worker, items)
  if (Lifecycle.isShutdown(life) || Lifecycle.brokenError(life) !== undefined) return supply.retire(worker)
  supply.park(worker)
}

/** The tasks a free worker gets (see `batchSize`), marked running: tasks to hand again first. */
const takeWork = (pool: PoolState, worker: PoolWorker): Array<WorkItem> => {
  const { life, supply } = pool
  const limit = batchSize({
    waiting: waiting(pool),
    otherIdle: supply.idle.length - (worker.state._tag === "Idle" ? 1 : 0),
    workers: supply.active,
    quotaLeft: pool.options.maxTasksPerWorker - worker.tasksRun
  })
  if (limit === 0) return []
  const items = pool.rehand.splice(0, limit)
  while (items.length < limit) {
    const item = Lifecycle.takeQueued(life)
    if (item === undefined) break
    if (setRunningUnsafe(item.future) !== "running") continue
    wakeWaiter(pool)
    items.push(item)
  }
  return items
}

/**
 * The worker reaches a task of its batch (the first at once, the next when the one before answers): its run
 * time, and its timeout, count from now.
 */
const executing = (pool: PoolState, worker: PoolWorker, item: WorkItem, now: number): void => {
  item.startedAt = now
  Lifecycle.taskStarted(pool.life, item.future, worker.handle.id)
}

/** Hands tasks (already `running`) to a free worker in one message; it runs them in order. */
export const hand = (pool: PoolState, worker: PoolWorker, items: Array<WorkItem>): void => {
  for (const item of items) {
    item.worker = worker
    if (item.future.startedAt === undefined) {
      item.future.startedAt = 0
      Lifecycle.addRunning(pool.life, item.future, false)
      item.future.interruptor = Effect.sync(() => {
        interruptHanded(pool, item)
        Lifecycle.flush(pool.life)
      })
    }
  }
  pool.supply.set(worker, Worker.busy(items))
  executing(pool, worker, items[0]!, performance.now())
  const { message, transfer } = runMessage(items)
  try {
    worker.handle.post(message, transfer)
  } catch (error) {
    // Structured clone refused an input (what the submit-time check could not see): find which, one by one.
    notSent(pool, worker, items, items.length === 1 ? [[items[0]!, error]] : postOneByOne(worker, items))
  }
}

const postOneByOne = (worker: PoolWorker, items: Array<WorkItem>): Array<readonly [WorkItem, unknown]> => {
  const refused: Array<readonly [WorkItem, unknown]> = []
  for (const item of items) {
    try {
      worker.handle.post([Protocol.RUN, item.chunk ? -item.id : item.id, namedFor(item), item.payload], item.transfer)
    } catch (error) {
      refused.push([item, error])
    }
  }
  return refused
}

/** Inputs that could not be sent fail with `TaskEncodeError`; the worker keeps the rest of its batch. */
const notSent = (
  pool: PoolState,
  worker: PoolWorker,
  items: Array<WorkItem>,
  refused: ReadonlyArray<readonly [WorkItem, unknown]>
): void => {
  if (refused.length === 0) return
  for (const [item] of refused) item.worker = undefined
  const sent = items.filter((item) => item.worker === worker)
  items.length = 0
  if (sent.length === 0) {
    available(pool, worker)
  } else {
    items.push(...sent)
    executing(pool, worker, sent[0]!, performance.now())
  }
  for (const [item, error] of refused) {
    const message = `the input cannot be sent: ${String(error)}`
    Lifecycle.completeLater(pool.life, item.future, Exit.fail(new TaskEncodeError({ task: item.taskName, message })))
  }
}

/**
 * Interrupts a handed task: the worker interrupts its fiber if it is executing, or drops it and answers
 * "interrupted" at once if it has not started. A task waiting to be handed again after its worker died
 * just ends.
 */
const interruptHanded = (pool: PoolState, item: WorkItem): void => {
  if (item.interrupting) return
  const worker = item.worker
  if (worker === undefined) {
    const index = pool.rehand.indexOf(item)
    if (index >= 0) {
      pool.rehand.splice(index, 1)
      Lifecycle.completeLater(pool.life, item.future, Exit.interrupt())
    }
    return
  }
  item.interrupting = true
  try {
    worker.handle.post([Protocol.INTERRUPT, item.id])
  } catch {
    // The worker is going away; its exit completes the future.
  }
  if (Worker.batchOf(worker.state)[0] === item) startGrace(pool, worker)
}

/** Synchronous code cannot be interrupted: past the grace period the worker goes, and the task with it. */
const startGrace = (pool: PoolState, worker: PoolWorker): void => {
  const state = worker.state
  if (state._tag !== "Busy" && state._tag !== "Retiring") return
  const item = state.batch[0]
  state.grace = setTimeout(() => {
    if (Worker.batchOf(worker.state)[0] === item) worker.handle.kill()
  }, pool.options.interruptGracePeriod)
}

/** The executing task of the worker's batch answered: the worker moves on, then its future completes. */
export const answered = (
  pool: PoolState,
  worker: PoolWorker,
  status: Protocol.Status,
  value: unknown,
  spans: ReadonlyArray<WireSpan> | undefined
): void => {
  const state = worker.state as Worker.Holding
  const item = state.batch.shift()!
  item.worker = undefined
  worker.tasksRun++
  if (state.grace !== undefined) {
    clearTimeout(state.grace)
    state.grace = undefined
  }
  const now = performance.now()
  pool.life.stats.ran(now - item.startedAt)
  const next = state.batch[0]
  if (next === undefined) {
    available(pool, worker)
  } else {
    executing(pool, worker, next, now)
    if (next.interrupting) startGrace(pool, worker)
  }
  // The worker's spans reach the caller's tracer before the task span ends.
  if (spans !== undefined && item.future.control !== undefined) emitSpans(item.future.control, spans)
  Lifecycle.completeLater(pool.life, item.future, decodeResult(item.task, item.codec, status, value))
}

/** The worker dropped a handed task it had not started (an interrupt): it ends cancelled, out of order. */
export const droppedByWorker = (pool: PoolState, worker: PoolWorker, index: number): void => {
  const [item] = (worker.state as Worker.Holding).batch.splice(index, 1)
  item!.worker = undefined
  Lifecycle.completeLater(pool.life, item!.future, Exit.interrupt())
}
