/**
 * What the pool does when a worker speaks or goes: it loaded the task module (or could not), its
 * initializer ended, a task answered, its process is exiting, it died (its batch split by `splitDeadBatch`,
 * then one completion loop); and when the pool cannot serve at all (`breakPool`).
 *
 * @internal
 */
import { BrokenExecutorError } from "@effect-futures/core/FutureError"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import { describeCause } from "@effect-futures/core/internal/describeCause"
import { splitDeadBatch } from "./dispatch.ts"
import { answered, available, droppedByWorker } from "./handOff.ts"
import { INITIALIZER_ID, type PoolState, waiting, wakeAllWaiters } from "./poolState.ts"
import * as Worker from "./poolWorker.ts"
import type { PoolWorker, WorkItem } from "./poolWorker.ts"
import { deserializeError } from "./errorCodec.ts"
import * as Protocol from "./protocol.ts"
import { callerCodec, decodeResult, squashExit } from "./taskCodec.ts"

export const onMessage = (pool: PoolState, worker: PoolWorker, message: Protocol.FromWorker): void => {
  switch (message[0]) {
    case Protocol.RESULT: {
      const batch = Worker.batchOf(worker.state)
      if (batch[0]?.id === message[1]) return answered(pool, worker, message[2], message[3], message[4])
      if (message[2] === Protocol.INTERRUPTED) {
        const index = batch.findIndex((handed) => handed.id === message[1])
        if (index > 0) return droppedByWorker(pool, worker, index)
      }
      if (message[1] === INITIALIZER_ID && worker.state._tag === "Initializing") {
        return initialized(pool, worker, message[2], message[3])
      }
      return
    }
    case Protocol.READY:
      return ready(pool, worker)
    case Protocol.LOAD_FAILED: {
      const [, reason, error] = message
      const cause = deserializeError(error)
      const what = reason === "import" ? "import" : "serve"
      worker.startFailure = new BrokenExecutorError({
        message: `a worker could not ${what} the task module ${pool.options.moduleHref}: ${describeCause(cause)}`,
        cause
      })
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

const initialized = (pool: PoolState, worker: PoolWorker, status: Protocol.Status, value: unknown): void => {
  if (status === Protocol.SUCCESS) return available(pool, worker)
  const task = pool.options.initializer!.task
  const exit = decodeResult(task, callerCodec(task), status, value)
  const cause = Exit.isFailure(exit) ? squashExit(exit) : undefined
  worker.startFailure = new BrokenExecutorError({
    message: `the initializer "${task.name}" failed: ${describeCause(cause)}`,
    cause
  })
  breakPool(pool, worker.startFailure)
  worker.handle.kill()
}

/** Its process is gone, its last answers still being read: no more work, and a replacement may start. */
export const onExiting = (pool: PoolState, worker: PoolWorker): void => {
  worker.exiting = true
  if (worker.state._tag === "Idle" || worker.state._tag === "Busy") {
    pool.supply.set(worker, Worker.retiring(worker.state))
    pool.supply.replace(waiting(pool), pool.life)
  }
}

/**
 * The worker is gone. The pool first becomes consistent (the worker dead, its unstarted tasks to hand again,
 * a replacement, idle workers given those tasks), then the futures it held complete, in one loop.
 */
export const onExit = (pool: PoolState, worker: PoolWorker, description: string, error: unknown): void => {
  const { life, supply } = pool
  const previous = worker.state
  supply.died(worker)
  const batch = Worker.batchOf(previous)
  for (const item of batch) item.worker = undefined
  const { executing, cancelled, rehand, failed } = splitDeadBatch(batch, Lifecycle.isServing(life))
  pool.rehand.push(...rehand)
  if (Worker.isStarting(previous) && life.phase._tag !== "Closed" && supply.diedStarting(worker)) {
    const message = `a worker could not start: ${description}`
    breakPool(pool, worker.startFailure ?? new BrokenExecutorError({ message, cause: error }))
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
