/**
 * What the three Promise executors share: one `ManagedRuntime` of an executor Layer, built from the
 * constructor on, and the way Promise-land calls reach it.
 *
 * The state is a record changed by the named functions below; the executor classes only hold it. It never
 * points back at the class instance, so a `FinalizationRegistry` can shut down the runtime of an executor that
 * was dropped without `shutdown()` (see {@link make}).
 *
 * Phases: `Building` (the Layer is being built; submits get stand-in futures, queued in order) → `Ready` (the
 * executor's services, submits go straight to them) or `Failed` (the build failed: every future, queued or
 * later, fails with its error). `shutdown` is a flag beside the phase: it can come in any phase.
 *
 * @internal
 */
import { Executor, FutureError } from "@effect-futures/core"
import { addListener, FutureImpl, isDone } from "@effect-futures/core/internal/future"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import { cancelNow, coreOf, finishNow, follow, type Future, makeFuture, setTarget } from "./future.ts"
import * as KeepAlive from "./keepAlive.ts"

/** The services a built executor Layer gives. */
export interface Ready<R> {
  readonly _tag: "Ready"
  readonly context: Context.Context<R>
  readonly executor: Executor.ExecutorShape
  /** Runs an Effect with the executor's services, starting on this stack. */
  readonly fork: <A, E>(effect: Effect.Effect<A, E, R>) => Fiber.Fiber<A, E>
}

/** A submit that came before the executor was ready: its stand-in future and what to do once it is. */
interface Queued<R> {
  readonly standIn: FutureImpl<any, any>
  readonly submit: (ready: Ready<R>) => void
}

export type Phase<R> =
  | { readonly _tag: "Building"; readonly queued: Array<Queued<R>> }
  | Ready<R>
  | { readonly _tag: "Failed"; readonly error: unknown }

export interface ExecutorState<R> {
  readonly runtime: ManagedRuntime.ManagedRuntime<R, unknown>
  phase: Phase<R>
  /** No more submits. */
  isShutdown: boolean
  /** The end of `shutdown`: the runtime disposed, every worker gone. */
  closed: Promise<void> | undefined
  /** Whether outstanding futures hold the process alive (the worker pools, whose workers are unref'd). */
  readonly keepAlive: boolean
  /** Resolves when the executor is ready; rejects with the Layer's build error. */
  readonly ready: Promise<void>
}

/** Executors dropped without `shutdown()`: their runtime is shut down when they are collected. */
const registry = new FinalizationRegistry<ExecutorState<any>>((state) => {
  if (!state.isShutdown) void shutdown(state, { wait: false })
})

/**
 * Starts building `layer` now and returns the executor's state. `owner` is the executor object: when it is
 * garbage collected without a `shutdown`, the runtime is shut down (tasks still running end first).
 *
 * @internal
 */
export const make = <R>(
  owner: object,
  layer: Layer.Layer<R, unknown>,
  options: { readonly keepAlive: boolean }
): ExecutorState<R> => {
  const runtime = ManagedRuntime.make(layer)
  let settleReady: (exit: Exit.Exit<unknown, unknown>) => void = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = (exit) => (Exit.isSuccess(exit) ? resolve() : reject(Cause.squash(exit.cause)))
  })
  // A build failure reaches the user through `ready`, `shutdown` and every future: never as an unhandled rejection.
  ready.catch(() => {})
  const state: ExecutorState<R> = {
    runtime,
    phase: { _tag: "Building", queued: [] },
    isShutdown: false,
    closed: undefined,
    keepAlive: options.keepAlive,
    ready
  }
  registry.register(owner, state, state)
  if (options.keepAlive) KeepAlive.hold()
  const build = Effect.runFork(runtime.contextEffect)
  const onBuilt = (exit: Exit.Exit<Context.Context<R>, unknown>) => {
    built(state, exit)
    settleReady(exit)
    if (options.keepAlive) KeepAlive.release()
  }
  const exit = build.pollUnsafe()
  if (exit === undefined) {
    build.addObserver(onBuilt)
    return state
  }
  onBuilt(exit)
  // A build that fails before it waits for anything failed on the options (`maxWorkers: 0`): thrown here, as
  // Python's constructors raise `ValueError`, rather than left for the first future to report.
  if (state.phase._tag === "Failed") {
    state.isShutdown = true
    registry.unregister(state)
    void runtime.dispose()
    throw state.phase.error
  }
  return state
}

/** Building → Ready | Failed, then the queued submits, in order. */
const built = <R>(state: ExecutorState<R>, exit: Exit.Exit<Context.Context<R>, unknown>): void => {
  const phase = state.phase
  if (phase._tag !== "Building") return
  if (Exit.isSuccess(exit)) {
    const context = exit.value
    state.phase = {
      _tag: "Ready",
      context,
      executor: Context.get(context as Context.Context<Executor.Executor>, Executor.Executor),
      fork: Effect.runForkWith(context)
    }
  } else {
    state.phase = { _tag: "Failed", error: Cause.squash(exit.cause) }
  }
  const next = state.phase
  for (const { standIn, submit } of phase.queued) {
    // Cancelled while it waited: it never starts.
    if (isDone(standIn)) continue
    if (next._tag === "Ready") submit(next)
    else finishNow(standIn, Exit.fail((next as { readonly error: unknown }).error))
  }
}

/**
 * What a submit gives: an Effect that submits (run at once, with the executor's services), or the executor's
 * future itself when the executor has a synchronous way in (the in-process pool's).
 */
export type Submission<R> = Effect.Effect<unknown, unknown, R> | FutureImpl<any, any>

/** Releases the process hold of a future when it ends. */
const releaseOnDone = () => KeepAlive.release()

const submitRefused = () =>
  new FutureError.ExecutorShutdownError({ message: "cannot submit a task after the executor shut down" })

/**
 * Submits through `submitting` and returns the `Future` object at once (Python's `submit`). Throws
 * `ExecutorShutdownError` after `shutdown`; any other refusal (an input that cannot cross, a Layer that failed
 * to build) is the future's error. An aborted `signal` interrupts the future.
 *
 * @internal
 */
export const submit = <R, A, E>(
  state: ExecutorState<R>,
  submitting: (ready: Ready<R>) => Submission<R>,
  signal: AbortSignal | undefined
): Future<A, E> => {
  if (state.isShutdown) throw submitRefused()
  const phase = state.phase
  let future: Future<A, E>
  if (phase._tag === "Ready") {
    const submission = submitting(phase)
    const fiber = submission instanceof FutureImpl ? undefined : phase.fork(submission)
    const exit = fiber === undefined ? undefined : fiber.pollUnsafe()
    if (fiber === undefined) {
      future = makeFuture(submission as FutureImpl<A, E>)
    } else if (exit !== undefined) {
      future = makeFuture(fromExit<A, E>(exit))
    } else {
      // The submit waits (for room in a bounded queue): a stand-in until the task is taken.
      const standIn = new FutureImpl<A, E>()
      future = makeFuture(standIn)
      bind(future, standIn, fiber)
    }
  } else if (phase._tag === "Failed") {
    future = makeFuture(failed(phase.error))
  } else {
    const standIn = new FutureImpl<A, E>()
    const queuedFuture = (future = makeFuture(standIn))
    phase.queued.push({
      standIn,
      submit: (ready) => {
        const submission = submitting(ready)
        bind(
          queuedFuture,
          standIn,
          submission instanceof FutureImpl ? Exit.succeed(submission) : ready.fork(submission)
        )
      }
    })
  }
  watch(state, future, signal)
  return future
}

/**
 * Once the executor has taken the task (at once, unless its bounded queue is full), the stand-in follows the
 * executor's future, and cancel and interrupt go there.
 */
const bind = <A, E>(
  future: Future<A, E>,
  standIn: FutureImpl<A, E>,
  submitting: Fiber.Fiber<unknown, unknown> | Exit.Exit<unknown, unknown>
) => {
  const taken = (exit: Exit.Exit<unknown, unknown>) => {
    const target = fromExit<A, E>(exit)
    // Cancelled while its submit waited: the task must not run.
    if (isDone(standIn)) return void cancelNow(target)
    setTarget(future, target)
    follow(standIn, target)
  }
  const exit = Exit.isExit(submitting) ? submitting : submitting.pollUnsafe()
  if (exit !== undefined) taken(exit)
  else (submitting as Fiber.Fiber<unknown, unknown>).addObserver(taken)
}

/** A submit's exit as a future: the submitted one, or one failed with why the submit was refused. */
const fromExit = <A, E>(exit: Exit.Exit<unknown, unknown>): FutureImpl<A, E> =>
  Exit.isSuccess(exit) ? (exit.value as FutureImpl<A, E>) : failed(Cause.squash(exit.cause))

const failed = <A, E>(error: unknown): FutureImpl<A, E> => {
  const future = new FutureImpl<A, E>()
  finishNow(future, Exit.fail(error as E))
  return future
}

/** The process hold of a worker pool's future, and the `AbortSignal` that interrupts it, until it ends. */
const watch = (state: ExecutorState<any>, future: Future<any, any>, signal: AbortSignal | undefined): void => {
  if (future.done()) return
  const core = coreOf(future)
  if (state.keepAlive) {
    KeepAlive.hold()
    addListener(core, releaseOnDone)
  }
  if (signal === undefined) return
  if (signal.aborted) return void future.interrupt()
  const onAbort = () => void future.interrupt()
  signal.addEventListener("abort", onAbort, { once: true })
  addListener(core, () => signal.removeEventListener("abort", onAbort))
}

/**
 * Runs an executor's stream as an async iterable, once the executor is ready (before, the first `next()`
 * waits for it; after a failed build, it rejects with the build's error).
 *
 * @internal
 */
export const stream = <R, A, E>(
  state: ExecutorState<R>,
  make: () => Stream.Stream<A, E, R>
): Stream.Stream<A, unknown> =>
  Stream.unwrap(
    Effect.suspend(() => {
      if (state.isShutdown) return Effect.fail(submitRefused())
      return Effect.map(state.runtime.contextEffect, (context) => Stream.provideContext(make(), context))
    })
  )

/**
 * Options of `shutdown`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShutdownOptions {
  /** Resolve once every task has ended and every worker is gone (default `true`); else at once. */
  readonly wait?: boolean | undefined
  /** Cancel the tasks that have not started (default `false`). */
  readonly cancelFutures?: boolean | undefined
}

/**
 * Python's `shutdown`: no more submits; `cancelFutures` cancels the tasks that have not started (those
 * submitted before the executor was ready too); then the executor's runtime is disposed, which waits for the
 * running tasks and stops every worker. With `wait` (default) the Promise resolves once all of that is done;
 * without, at once (it goes on in the background). Calling it again waits for the first one.
 *
 * @internal
 */
export const shutdown = (state: ExecutorState<any>, options?: ShutdownOptions): Promise<void> => {
  if (state.closed === undefined) {
    state.isShutdown = true
    registry.unregister(state)
    const cancelFutures = options?.cancelFutures === true
    // Begun at once, as Python's: when `shutdown` returns, later submits are refused and the queue is cancelled.
    const stop = (ready: Ready<any>) => void ready.fork(Executor.shutdown({ wait: false, cancelFutures }))
    const phase = state.phase
    if (phase._tag === "Ready") stop(phase)
    else if (phase._tag === "Building" && cancelFutures) for (const { standIn } of phase.queued) cancelNow(standIn)
    const closing =
      phase._tag === "Building"
        ? state.ready.then(
            () => stop(state.phase as Ready<any>),
            () => {}
          )
        : Promise.resolve()
    const disposed = closing.then(() => state.runtime.dispose())
    state.closed = state.keepAlive ? KeepAlive.holdUntil(disposed) : disposed
  }
  return options?.wait === false ? Promise.resolve() : state.closed
}
