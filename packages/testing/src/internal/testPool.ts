/**
 * The executor behind `TestExecutor`: core's executor lifecycle (admission, the queue, the running set, shutdown)
 * and core's futures, with one difference from a real pool: a queued task starts only when the test says
 * ({@link runNext}), and the test may end a task itself ({@link complete}). Each started task runs in its own
 * fiber with the services of the fiber that submitted it (so it sees the test's `TestClock`).
 *
 * @internal
 */
import { BrokenExecutorError, type ExecutorShutdownError, InvalidStateError } from "@effect-futures/core/FutureError"
import { FutureImpl, isDone, setRunningUnsafe } from "@effect-futures/core/internal/future"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import type { AttemptOptions } from "@effect-futures/core/internal/taskControl"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Tracer from "effect/Tracer"

interface Item {
  readonly future: FutureImpl<any, any>
  readonly effect: Effect.Effect<any, any>
  /** The services of the fiber that submitted the task: its fiber runs with them. */
  readonly context: Context.Context<never>
}

/** A test waiting until `count` tasks have been submitted. */
interface SubmitWaiter {
  readonly count: number
  readonly deferred: Deferred.Deferred<ReadonlyArray<FutureImpl<any, any>>>
}

/** @internal */
export interface TestPool {
  readonly maxWorkers: number
  readonly lifecycle: Lifecycle.Lifecycle<Item>
  /** Every future submitted, in submission order. */
  readonly submitted: Array<FutureImpl<any, any>>
  /** The fiber of each started task, until it ends. */
  readonly fibers: Map<FutureImpl<any, any>, Fiber.Fiber<unknown, unknown>>
  /** The exit the test chose for a running task it ends (`complete`, `crash`): its future gets this one. */
  readonly endings: Map<FutureImpl<any, any>, Exit.Exit<unknown, unknown>>
  readonly submitWaiters: Array<SubmitWaiter>
  /** The futures' owner: tells the lifecycle; identifies this pool's futures. */
  readonly onDone: (future: FutureImpl<any, any>) => void
}

/** @internal */
export const make = (maxWorkers: number, context: Context.Context<never>, name: string, tracing: boolean): TestPool => {
  const fibers = new Map<FutureImpl<any, any>, Fiber.Fiber<unknown, unknown>>()
  const lifecycle: Lifecycle.Lifecycle<Item> = Lifecycle.make<Item>(
    {
      idle: () => lifecycle.queued === 0 && lifecycle.running.length === 0,
      // The fiber, not the future: a future completed by hand (`Future.complete`) may still have its task running.
      interrupt: (future) => {
        const fiber = fibers.get(future)
        return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
      }
    },
    { kind: "test", name, maxWorkers, context, tracing }
  )
  return {
    maxWorkers,
    lifecycle,
    submitted: [],
    fibers,
    endings: new Map(),
    submitWaiters: [],
    onDone: (future) => {
      Lifecycle.futureEnded(lifecycle, future)
      // A queued future cancelled by its owner may be the last thing a drain waited for.
      Lifecycle.notifyIfDrained(lifecycle)
    }
  }
}

/**
 * Queues a task that will run with `context` once the test starts it; refused after shutdown.
 * @internal
 */
export const submitUnsafe = <A, E>(
  pool: TestPool,
  effect: Effect.Effect<A, E>,
  context: Context.Context<never>,
  taskName: string,
  options: AttemptOptions | undefined
): FutureImpl<A, E> | ExecutorShutdownError => {
  // A test executor never breaks: the only refusal is a shutdown.
  const refused = Lifecycle.admit(pool.lifecycle) as ExecutorShutdownError | undefined
  if (refused !== undefined) return refused
  const future = new FutureImpl<A, E>()
  future.owner = pool.onDone
  // Its timeout (on the submitter's clock, so TestClock moves it), id and span, as on every executor.
  const control = Lifecycle.controlOf(pool.lifecycle, context, taskName, future, options)
  if (control !== undefined) {
    future.control = control
    if (control.span !== undefined) context = Context.add(context, Tracer.ParentSpan, control.span)
  }
  Lifecycle.enqueue(pool.lifecycle, { future, effect, context })
  pool.submitted.push(future)
  wakeSubmitWaiters(pool)
  return future
}

/** @internal */
export const submit = <A, E>(
  pool: TestPool,
  effect: Effect.Effect<A, E>,
  taskName = "effect",
  options?: AttemptOptions
): Effect.Effect<FutureImpl<A, E>, ExecutorShutdownError> =>
  Effect.withFiber((fiber) => {
    const submitted = submitUnsafe(pool, effect, fiber.context, taskName, options)
    return submitted instanceof FutureImpl ? Effect.succeed(submitted) : Effect.fail(submitted)
  })

const wakeSubmitWaiters = (pool: TestPool): void => {
  const waiters = pool.submitWaiters
  for (let index = waiters.length - 1; index >= 0; index--) {
    const waiter = waiters[index]!
    if (waiter.count > pool.submitted.length) continue
    waiters.splice(index, 1)
    Deferred.doneUnsafe(waiter.deferred, Exit.succeed(pool.submitted.slice(0, waiter.count)))
  }
}

/**
 * Waits until `count` tasks have been submitted; the first `count` futures.
 * @internal
 */
export const awaitSubmitted = (pool: TestPool, count: number): Effect.Effect<ReadonlyArray<FutureImpl<any, any>>> =>
  Effect.suspend(() => {
    if (pool.submitted.length >= count) return Effect.succeed(pool.submitted.slice(0, count))
    const deferred = Deferred.makeUnsafe<ReadonlyArray<FutureImpl<any, any>>>()
    pool.submitWaiters.push({ count, deferred })
    return Deferred.await(deferred)
  })

/** The queued futures still pending, oldest first. @internal */
export const queued = (pool: TestPool): Array<FutureImpl<any, any>> =>
  pool.submitted.filter((future) => future.state === "pending")

/**
 * Starts the oldest pending task if a worker is free (fewer than `maxWorkers` tasks run); its future, or
 * `undefined`.
 * @internal
 */
export const runNextUnsafe = (pool: TestPool): FutureImpl<any, any> | undefined => {
  const lifecycle = pool.lifecycle
  if (lifecycle.running.length >= pool.maxWorkers || !Lifecycle.isServing(lifecycle)) return undefined
  for (let item = Lifecycle.takeQueued(lifecycle); item !== undefined; item = Lifecycle.takeQueued(lifecycle)) {
    // A future cancelled while it waited is skipped: it already left the queued count.
    if (setRunningUnsafe(item.future) !== "running") continue
    start(pool, item)
    return item.future
  }
  return undefined
}

const start = (pool: TestPool, item: Item): void => {
  const { future } = item
  const lifecycle = pool.lifecycle
  future.startedAt = performance.now()
  Lifecycle.addRunning(lifecycle, future)
  setBusy(pool)
  const fiber = Effect.runForkWith(item.context)(item.effect)
  const exit = fiber.pollUnsafe()
  if (exit !== undefined) return taskEnded(pool, future, exit)
  pool.fibers.set(future, fiber)
  future.interruptor = Fiber.interrupt(fiber)
  fiber.addObserver((exit) => taskEnded(pool, future, exit))
}

const setBusy = (pool: TestPool): void => {
  const busy = pool.lifecycle.running.length
  pool.lifecycle.stats.setWorkers(busy)
  pool.lifecycle.stats.setBusy(busy)
}

/** The task's fiber ended: its worker is free, and its future ends with its exit, or with the test's. */
const taskEnded = (pool: TestPool, future: FutureImpl<any, any>, exit: Exit.Exit<unknown, unknown>): void => {
  const lifecycle = pool.lifecycle
  pool.fibers.delete(future)
  const ending = pool.endings.get(future)
  pool.endings.delete(future)
  Lifecycle.removeRunning(lifecycle, future)
  lifecycle.stats.ran(performance.now() - future.startedAt!)
  setBusy(pool)
  if (!isDone(future)) Lifecycle.completeLater(lifecycle, future, ending ?? exit)
  Lifecycle.flush(lifecycle)
}

const notOurs = (future: FutureImpl<any, any>) =>
  new InvalidStateError({ message: `${future} was not submitted to this TestExecutor`, state: future.state })

/**
 * Ends a task with `exit`, as if its task had ended so: a pending future ends at once (its task never runs); a
 * running one has its fiber interrupted (its finalizers run), then ends with `exit`. `InvalidStateError` if the
 * future is done or not this executor's.
 * @internal
 */
export const complete = (
  pool: TestPool,
  future: FutureImpl<any, any>,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<void, InvalidStateError> =>
  Effect.suspend(() => {
    if (future.owner !== pool.onDone) return Effect.fail(notOurs(future))
    if (isDone(future)) {
      return Effect.fail(
        new InvalidStateError({ message: `cannot complete a future that is ${future.state}`, state: future.state })
      )
    }
    const fiber = pool.fibers.get(future)
    if (fiber === undefined) {
      Lifecycle.completeLater(pool.lifecycle, future, exit)
      Lifecycle.flush(pool.lifecycle)
      return Effect.void
    }
    pool.endings.set(future, exit)
    return Fiber.interrupt(fiber)
  })

/**
 * The worker running the future's task dies: the task's fiber is interrupted and the future fails with
 * `BrokenExecutorError`, as in a worker pool. `InvalidStateError` unless the future is running.
 * @internal
 */
export const crash = (pool: TestPool, future: FutureImpl<any, any>): Effect.Effect<void, InvalidStateError> =>
  Effect.suspend(() => {
    if (future.owner !== pool.onDone) return Effect.fail(notOurs(future))
    if (future.state !== "running") {
      return Effect.fail(
        new InvalidStateError({
          message: `only a running task can crash; this one is ${future.state}`,
          state: future.state
        })
      )
    }
    const error = new BrokenExecutorError({ message: `the worker running ${future} died (TestExecutor.crash)` })
    return complete(pool, future, Exit.fail(error))
  })

/**
 * The scope closes: nothing would ever start what the test left queued, so whatever the scope's exit, queued
 * tasks are cancelled and running ones interrupted, and the close waits for them.
 * @internal
 */
export const close = (pool: TestPool): Effect.Effect<void> => Lifecycle.close(pool.lifecycle, Exit.interrupt())
