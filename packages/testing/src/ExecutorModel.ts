/**
 * The reference model of an executor: Python's `concurrent.futures` state machine (pending → running → one
 * of succeeded, failed, cancelled) and a FIFO queue in front of `maxWorkers` workers, as plain data changed
 * by plain functions, no Effect. Run the same {@link ExecutorProgram} against it and against an executor, and
 * compare after every step.
 *
 * @since 0.1.0
 */
import type { Future } from "@effect-futures/core"
import * as ExecutorProgram from "./ExecutorProgram.ts"
import type { Command, Outcome, Start, Target } from "./ExecutorProgram.ts"

/**
 * A future's state, as `Future.state` says it.
 *
 * @since 0.1.0
 * @category models
 */
export type State = Future.State

/**
 * One future of the model. `outcome`: how its task ends (with a `"auto"` executor, set when the test releases
 * the task, which may still be queued); `crashed`: it failed because its worker died; `started`: its task was
 * ever started.
 *
 * @since 0.1.0
 * @category models
 */
export interface ModelFuture {
  state: State
  outcome: Outcome | undefined
  crashed: boolean
  started: boolean
}

/**
 * The model of one executor. Read it freely; change it with this module's functions.
 *
 * @since 0.1.0
 * @category models
 */
export interface Model {
  readonly maxWorkers: number
  readonly start: Start
  /** Every future submitted, in submission order: a future's index is its submission's number. */
  readonly futures: Array<ModelFuture>
  /** Indices of the pending futures, oldest first. */
  queue: Array<number>
  shutdown: boolean
  /** `shutdown({ cancelFutures: true })` ran: no future may be pending any more. */
  cancelledOnShutdown: boolean
}

/**
 * What a test observes of a future: how it ended, or that it has not.
 *
 * @since 0.1.0
 * @category models
 */
export type Result =
  Outcome | { readonly _tag: "Cancelled" } | { readonly _tag: "Crashed" } | { readonly _tag: "NotDone" }

/**
 * A model with no futures.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 2, start: "auto" })
 * ExecutorModel.submit(model) // 0, running at once
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly maxWorkers: number; readonly start: Start }): Model => ({
  maxWorkers: options.maxWorkers,
  start: options.start,
  futures: [],
  queue: [],
  shutdown: false,
  cancelledOnShutdown: false
})

/**
 * Whether a state is terminal (succeeded, failed or cancelled).
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * ExecutorModel.isDone("cancelled") // true
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const isDone = (state: State): boolean => state !== "pending" && state !== "running"

/**
 * pending 0 < running 1 < done 2: a future only ever moves up, and ends once.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const seen: Array<ExecutorModel.State> = ["pending", "running", "succeeded"]
 * seen.every((state, i) => i === 0 || ExecutorModel.rank(state) > ExecutorModel.rank(seen[i - 1]!)) // true
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const rank = (state: State): number => (state === "pending" ? 0 : state === "running" ? 1 : 2)

/**
 * How many futures are in a state: `count(model, "running")` is the busy workers, `"pending"` the queue.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "auto" })
 * ExecutorModel.submit(model)
 * ExecutorModel.submit(model)
 * ExecutorModel.count(model, "pending") // 1
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const count = (model: Model, state: State): number =>
  model.futures.reduce((n, future) => (future.state === state ? n + 1 : n), 0)

/**
 * The index of the future a command's target names, or `undefined` when there is none yet.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "auto" })
 * ExecutorModel.submit(model)
 * ExecutorModel.submit(model)
 * ExecutorModel.pick(model, { among: "pending", n: 5 }) // 1, the only pending one
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const pick = (model: Model, target: Target): number | undefined =>
  ExecutorProgram.pick(
    model.futures.map((future) => future.state),
    target
  )

/**
 * What a test should observe of a future now.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "manual" })
 * ExecutorModel.submit(model)
 * ExecutorModel.cancel(model, 0)
 * ExecutorModel.resultOf(model.futures[0]!) // { _tag: "Cancelled" }
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const resultOf = (future: ModelFuture): Result =>
  !isDone(future.state)
    ? { _tag: "NotDone" }
    : future.state === "cancelled"
      ? { _tag: "Cancelled" }
      : future.crashed
        ? { _tag: "Crashed" }
        : future.outcome!

const terminalState = (outcome: Outcome): State => (outcome._tag === "Succeed" ? "succeeded" : "failed")

const startFuture = (future: ModelFuture): void => {
  future.state = "running"
  future.started = true
}

const leaveQueue = (model: Model, index: number): void => {
  model.queue = model.queue.filter((queued) => queued !== index)
}

/**
 * An `"auto"` executor after everything that happens without the test: released running tasks end, queued
 * ones start on free workers.
 */
const settle = (model: Model): void => {
  if (model.start !== "auto") return
  for (;;) {
    let changed = false
    for (const future of model.futures) {
      if (future.state === "running" && future.outcome !== undefined) {
        future.state = terminalState(future.outcome)
        changed = true
      }
    }
    while (count(model, "running") < model.maxWorkers && model.queue.length > 0) {
      startFuture(model.futures[model.queue.shift()!]!)
      changed = true
    }
    if (!changed) return
  }
}

/**
 * `Executor.submit`: the new future's index, or `"rejected"` after shutdown (`ExecutorShutdownError`). An
 * `"auto"` executor starts it at once when a worker is free; a `"manual"` one queues it.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "manual" })
 * ExecutorModel.submit(model) // 0
 * ExecutorModel.shutdown(model, { cancelFutures: false })
 * ExecutorModel.submit(model) // "rejected"
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const submit = (model: Model): number | "rejected" => {
  if (model.shutdown) return "rejected"
  const index = model.futures.length
  model.futures.push({ state: "pending", outcome: undefined, crashed: false, started: false })
  model.queue.push(index)
  settle(model)
  return index
}

/**
 * `TestExecutor.runNext`: starts the oldest queued future if a worker is free; its index, or `undefined`.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "manual" })
 * ExecutorModel.submit(model)
 * ExecutorModel.runNext(model) // 0
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const runNext = (model: Model): number | undefined => {
  if (count(model, "running") >= model.maxWorkers) return undefined
  const index = model.queue.shift()
  if (index !== undefined) startFuture(model.futures[index]!)
  return index
}

/**
 * `TestExecutor.runAll`: starts queued futures, oldest first, while workers are free; their indices.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 2, start: "manual" })
 * for (let i = 0; i < 3; i++) ExecutorModel.submit(model)
 * ExecutorModel.runAll(model) // [0, 1]
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const runAll = (model: Model): Array<number> => {
  const started: Array<number> = []
  for (let index = runNext(model); index !== undefined; index = runNext(model)) started.push(index)
  return started
}

/**
 * Ends a future's task with `outcome`. `"auto"`: releases the task, which ends when it runs (`false` if it was
 * released already). `"manual"` (`TestExecutor.complete`): a pending or running future ends now (`false`, an
 * `InvalidStateError`, if it is done).
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "manual" })
 * ExecutorModel.submit(model)
 * ExecutorModel.complete(model, 0, { _tag: "Succeed", value: 1 }) // true
 * model.futures[0]!.state // "succeeded"
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const complete = (model: Model, index: number, outcome: Outcome): boolean => {
  const future = model.futures[index]!
  if (model.start === "auto") {
    if (future.outcome !== undefined) return false
    future.outcome = outcome
    settle(model)
    return true
  }
  if (isDone(future.state)) return false
  if (future.state === "pending") leaveQueue(model, index)
  future.outcome = outcome
  future.state = terminalState(outcome)
  return true
}

/**
 * `TestExecutor.crash`: the worker running the future dies; the future fails with `BrokenExecutorError`.
 * `false` (an `InvalidStateError`) unless it was running.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "manual" })
 * ExecutorModel.submit(model)
 * ExecutorModel.runNext(model)
 * ExecutorModel.crash(model, 0) // true
 * ExecutorModel.resultOf(model.futures[0]!) // { _tag: "Crashed" }
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const crash = (model: Model, index: number): boolean => {
  const future = model.futures[index]!
  if (future.state !== "running") return false
  future.state = "failed"
  future.crashed = true
  settle(model)
  return true
}

/**
 * `Future.cancel`, Python's rule: `true` iff the future was pending (it is now cancelled) or already cancelled.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "auto" })
 * ExecutorModel.submit(model)
 * ExecutorModel.cancel(model, 0) // false: it runs
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const cancel = (model: Model, index: number): boolean => {
  const future = model.futures[index]!
  if (future.state === "pending") {
    future.state = "cancelled"
    leaveQueue(model, index)
    return true
  }
  return future.state === "cancelled"
}

/**
 * `Future.interrupt`: cancels a pending future, stops a running one; `true` iff the future ends cancelled.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "auto" })
 * ExecutorModel.submit(model)
 * ExecutorModel.interrupt(model, 0) // true
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const interrupt = (model: Model, index: number): boolean => {
  const future = model.futures[index]!
  if (future.state === "pending") return cancel(model, index)
  if (future.state === "running") {
    future.state = "cancelled"
    settle(model)
    return true
  }
  return future.state === "cancelled"
}

/**
 * `Executor.shutdown`: later submits are rejected; with `cancelFutures`, the queued futures are cancelled.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "manual" })
 * ExecutorModel.submit(model)
 * ExecutorModel.shutdown(model, { cancelFutures: true })
 * model.futures[0]!.state // "cancelled"
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const shutdown = (model: Model, options: { readonly cancelFutures: boolean }): void => {
  model.shutdown = true
  if (options.cancelFutures) {
    model.cancelledOnShutdown = true
    for (const index of model.queue) model.futures[index]!.state = "cancelled"
    model.queue = []
  }
}

/**
 * The executor's scope closes with a failure or an interruption: queued futures are cancelled, running tasks
 * interrupted. Afterwards every future is done.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 1, start: "auto" })
 * ExecutorModel.submit(model)
 * ExecutorModel.abort(model)
 * model.futures[0]!.state // "cancelled"
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const abort = (model: Model): void => {
  shutdown(model, { cancelFutures: true })
  for (const future of model.futures) if (!isDone(future.state)) future.state = "cancelled"
}

/**
 * Applies one command of a program as the executor should; a command whose target does not exist yet does
 * nothing. `AddDoneCallback` changes nothing in the model.
 *
 * @example
 * ```ts
 * import { ExecutorModel } from "@effect-futures/testing"
 *
 * const model = ExecutorModel.make({ maxWorkers: 2, start: "manual" })
 * ExecutorModel.step(model, { _tag: "Submit", count: 3 })
 * ExecutorModel.step(model, { _tag: "RunAll" })
 * ExecutorModel.count(model, "running") // 2
 * ```
 *
 * @since 0.1.0
 * @category transitions
 */
export const step = (model: Model, command: Command): void => {
  switch (command._tag) {
    case "Submit":
      for (let i = 0; i < command.count; i++) submit(model)
      return
    case "SubmitThenInterrupt": {
      const index = submit(model)
      if (index !== "rejected") interrupt(model, index)
      return
    }
    case "RunNext":
      runNext(model)
      return
    case "RunAll":
      runAll(model)
      return
    case "Shutdown":
      shutdown(model, command)
      return
  }
  const index = pick(model, command.target)
  if (index === undefined) return
  switch (command._tag) {
    case "Complete":
      complete(model, index, command.outcome)
      return
    case "Crash":
      crash(model, index)
      return
    case "Cancel":
      cancel(model, index)
      return
    case "Interrupt":
      interrupt(model, index)
      return
    case "AddDoneCallback":
      return
  }
}
