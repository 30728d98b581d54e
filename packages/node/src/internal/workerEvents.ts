/**
 * Everything a worker's events do to the pool, in one place: it loaded the task module (or could not), its
 * initializer ended, a task answered, its process is exiting, it died (its batch split by `splitDeadBatch`,
 * then one completion loop), it could not be spawned; and the work those events move: a free worker takes
 * the next tasks (a batch on a deep queue), the message that hands them, an interrupt of a handed task and its
 * grace period, and the pool breaking.
 *
 * Events arrive as Node callbacks, outside any fiber. Each entry ({@link listenerOf}'s members, a handed task's
 * interruptor) changes the pool's state synchronously (one event at a time, like a lock), collecting the
 * completions it causes (`Lifecycle.completeLater`), and ends with `Lifecycle.flush`: the futures complete once
 * the pool is consistent, so a waiter that calls back into the pool sees it whole. The functions the pool
 * itself calls ({@link hand}, {@link breakPool}) leave the flush to it.
 *
 * @internal
 */
import { BrokenExecutorError, TaskEncodeError } from "@effect-futures/core/FutureError"
import { describeCause } from "@effect-futures/core/internal/describeCause"
import { setRunningUnsafe } from "@effect-futures/core/internal/future"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { batchSize, namedFor, runMessage, splitDeadBatch } from "./dispatch.ts"
import { deserializeError } from "./errorCodec.ts"
import { INITIALIZER_ID, type PoolState, waiting, wakeAllWaiters, wakeWaiter } from "./poolState.ts"
import * as Worker from "./poolWorker.ts"
import type { PoolWorker, WorkItem } from "./poolWorker.ts"
import * as Protocol from "./protocol.ts"
import type { WireSpan } from "./protocol.ts"
import { emitSpans } from "./remoteSpans.ts"
import { callerCodec, decodeResult, squashExit } from "./taskCodec.ts"
import type { WorkerListener } from "./workerSupply.ts"

/**
 * What the pool's workers tell it, for `WorkerSupply`: each event is handled, then the completions it made due
 * run. `pool` is read when an event comes (the supply is made before the record that holds it).
 */
export const listenerOf = (pool: () => PoolState): WorkerListener => ({
  onMessage: (worker, message) => {
    onMessage(pool(), worker, message)
    Lifecycle.flush(pool().life)
  },
  onExiting: (worker) => {
    onExiting(pool(), worker)
    Lifecycle.flush(pool().life)
  },
  onExit: (worker, description, error) => {
    onExit(pool(), worker, description, error)
    Lifecycle.flush(pool().life)
  },
  // A spawn fails inside another entry (a submit, a warm-up, a replacement after an exit): that one flushes,
  // once the pool is consistent again.
  onSpawnFailed: (error) => breakPool(pool(), error)
})

/** A worker can take work: the next tasks, or it waits (or retires). */
const available = (pool: PoolState, worker: PoolWorker): void => {
  if (!Worker.takesWork(worker.state)) return
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
const answered = (
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
const droppedByWorker = (pool: PoolState, worker: PoolWorker, index: number): void => {
  const [item] = (worker.state as Worker.Holding).batch.splice(index, 1)
  item!.worker = undefined
  Lifecycle.completeLater(pool.life, item!.future, Exit.interrupt())
}

const onMessage = (pool: PoolState, worker: PoolWorker, message: Protocol.FromWorker): void => {
  switch (message[0]) {
    case Protocol.RESULT: {
      const batch = Worker.batchOf(worker.state)
      if (batch[0]?.id === message[1]) return answered(pool, worker, message[2], message[3], message[4])
      if (message[2] === Protocol.INTERRUPTED) {
        const index = batch.findIndex((handed) => handed.id === message[1])
        if (index > 0) return droppedByWorker(pool, worker, index)
      }
      if (message[1] === INITIALIZER_ID && worker.state._tag === "Initializing") {
        return initialized(pool, worker, worker.state, message[2], message[3])
      }
      return
    }
    case Protocol.READY:
      return ready(pool, worker)
    case Protocol.LOAD_FAILED: {
      const [, reason, error] = message
      const cause = deserializeError(error)
      const what = reason === "import" ? "import" : "serve"
      if (Worker.isStarting(worker.state)) {
        worker.state.failure = new BrokenExecutorError({
          message: `a worker could not ${what} the task module ${pool.options.moduleHref}: ${describeCause(cause)}`,
          cause
        })
      }
      return worker.handle.kill()
    }
  }
}

const ready = (pool: PoolState, worker: PoolWorker): void => {
  if (worker.state._tag !== "Starting") return
  const initializer = pool.options.initializer
  pool.supply.loaded(worker, initializer !== undefined)
  if (initializer === undefined) available(pool, worker)
  else worker.handle.post([Protocol.RUN, INITIALIZER_ID, initializer.task.name, initializer.payload])
  // Whoever waits for a first worker resumes synchronously, inside this call: the first tasks go to this
  // worker before the next one is spawned.
  Deferred.doneUnsafe(pool.firstReady, Exit.void)
  pool.supply.spawnOwed()
}

const initialized = (
  pool: PoolState,
  worker: PoolWorker,
  state: Worker.NotReady,
  status: Protocol.Status,
  value: unknown
): void => {
  if (status === Protocol.SUCCESS) return available(pool, worker)
  const task = pool.options.initializer!.task
  const exit = decodeResult(task, callerCodec(task), status, value)
  const cause = Exit.isFailure(exit) ? squashExit(exit) : undefined
  const failure = new BrokenExecutorError({
    message: `the initializer "${task.name}" failed: ${describeCause(cause)}`,
    cause
  })
  state.failure = failure
  breakPool(pool, failure)
  worker.handle.kill()
}

/**
 * Its process is gone, its last answers still being read: no more work, and a replacement may start. A worker
 * still starting stays so (its last messages may say why it could not start), marked as taking no work.
 */
const onExiting = (pool: PoolState, worker: PoolWorker): void => {
  if (Worker.isStarting(worker.state)) worker.state.exiting = true
  if (worker.state._tag === "Idle" || worker.state._tag === "Busy") {
    pool.supply.set(worker, Worker.retiring(worker.state))
    pool.supply.replace(waiting(pool), pool.life)
  }
}

/**
 * The worker is gone. The pool first becomes consistent (the worker dead, its unstarted tasks to hand again,
 * a replacement, idle workers given those tasks), then the futures it held complete, in one loop.
 */
const onExit = (pool: PoolState, worker: PoolWorker, description: string, error: unknown): void => {
  const { life, supply } = pool
  const previous = worker.state
  supply.died(worker)
  const batch = Worker.batchOf(previous)
  for (const item of batch) item.worker = undefined
  const { executing, cancelled, rehand, failed } = splitDeadBatch(batch, Lifecycle.isServing(life))
  pool.rehand.push(...rehand)
  const startFailure = Worker.startFailureOf(previous)
  if (Worker.isStarting(previous) && life.phase._tag !== "Closed" && supply.diedStarting(startFailure)) {
    const message = `a worker could not start: ${description}`
    breakPool(pool, startFailure ?? new BrokenExecutorError({ message, cause: error }))
  }
  supply.replace(waiting(pool), life)
  supply.spawnOwed()
  // Idle workers take the tasks that never started, before anything queued.
  if (pool.rehand.length > 0) for (const idle of [...supply.idle]) available(pool, idle)
  const broken = Lifecycle.brokenError(life)
  const ended = (what: string, item: WorkItem) => {
    const id = item.future.control?.id
    const task = id === undefined ? `"${item.taskName}"` : `"${item.taskName}" (id ${id})`
    return new BrokenExecutorError({ message: `${description} ${what} task ${task}`, cause: error })
  }
  if (executing !== undefined) {
    const exit = executing.interrupting ? Exit.interrupt() : Exit.fail(ended("while it ran", executing))
    Lifecycle.completeLater(life, executing.future, exit)
  }
  for (const item of cancelled) Lifecycle.completeLater(life, item.future, Exit.interrupt())
  for (const item of failed) {
    Lifecycle.completeLater(life, item.future, Exit.fail(broken ?? ended("before it ran", item)))
  }
  // A pool that broke before any worker was ready fails the Layer's build.
  if (broken !== undefined) Deferred.doneUnsafe(pool.firstReady, Exit.fail(broken))
  Deferred.doneUnsafe(worker.exited, Exit.void)
}

/** The pool cannot serve (a worker cannot start, the initializer failed): fail what waits, and all later. */
export const breakPool = (pool: PoolState, error: BrokenExecutorError): void => {
  if (Lifecycle.brokenError(pool.life) !== undefined) return
  const items = [...pool.rehand.splice(0), ...Lifecycle.breakExecutor(pool.life, error)]
  pool.supply.retireIdle()
  for (const item of items) Lifecycle.completeLater(pool.life, item.future, Exit.fail(error))
  wakeAllWaiters(pool)
}
