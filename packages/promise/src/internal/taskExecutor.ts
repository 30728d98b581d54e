/**
 * `submit` and `map` of the executors that run Tasks in workers (threads or processes).
 *
 * @internal
 */
import { Executor, type FutureError, type Task } from "@effect-futures/core"
import type { NodeExecutor } from "@effect-futures/node"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { BaseExecutor } from "./base.ts"
import * as State from "./executor.ts"
import type { Future, Timeout } from "./future.ts"
import { iterate } from "./iterate.ts"

/**
 * Options of `submit` on a worker executor.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskSubmitOptions {
  /** Aborting it cancels the task if it has not started, or interrupts it in its worker. */
  readonly signal?: AbortSignal | undefined
  /** Objects to move to a worker thread instead of copying them (`ArrayBuffer`, `MessagePort`). */
  readonly transfer?: ReadonlyArray<Executor.Transferable> | undefined
}

/**
 * Options of `map`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapOptions {
  /** Aborting it stops the loop: the tasks not started are cancelled, the running ones interrupted. */
  readonly signal?: AbortSignal | undefined
  /** Counted from the first `next()`: the loop then throws `TimeoutError`. */
  readonly timeout?: Timeout | undefined
  /** At most this many tasks in flight (default: twice the workers); inputs are read as room frees up. */
  readonly buffer?: number | undefined
}

/**
 * Options of `map` on a worker executor.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskMapOptions extends MapOptions {
  /** Inputs per message to a worker (Python's `chunksize`, default 1); results still come one by one. */
  readonly chunkSize?: number | undefined
}

/**
 * The errors a worker executor's future can reject with besides the task's own: a worker that died
 * (`BrokenExecutorError`), a value that could not cross (`TaskEncodeError`, `TaskDecodeError`), a task module
 * that could not be loaded (`TaskModuleError`).
 *
 * @since 0.1.0
 * @category models
 */
export type WorkerError = FutureError.TaskBoundaryError | NodeExecutor.TaskModuleError

/** @internal */
export abstract class TaskExecutor extends BaseExecutor<Executor.Executor> {
  constructor(layer: Layer.Layer<Executor.Executor, unknown>) {
    super(layer, { keepAlive: true })
  }

  /**
   * Runs `task(input)` in a worker and returns its `Future` at once (Python's `submit`). `task` is a Task
   * exported by the executor's task module (`defineTask`, or `Task.make` with schemas). Throws
   * `ExecutorShutdownError` after `shutdown`.
   */
  submit<I, A, E>(task: Task.Task<I, A, E>, input: I, options?: TaskSubmitOptions): Future<A, E | WorkerError> {
    const transfer = options?.transfer === undefined ? undefined : { transfer: options.transfer }
    return State.submit(this.state, (ready) => ready.executor.submitTask(task, input, transfer), options?.signal)
  }

  /**
   * Runs `task` over the inputs and yields the results in input order (Python's `map`), as an async iterable:
   * at most `buffer` tasks in flight, inputs read lazily from the first `next()`. The first failure, in input
   * order, throws from the loop after every result before it. Leaving the loop early (`break`, `throw`, an
   * aborted `signal`) cancels the tasks not started and interrupts the running ones.
   */
  map<I, A, E>(task: Task.Task<I, A, E>, inputs: Iterable<I>, options?: TaskMapOptions): AsyncIterableIterator<A> {
    const mapOptions = {
      ...(options?.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options?.buffer === undefined ? {} : { buffer: options.buffer }),
      ...(options?.chunkSize === undefined ? {} : { chunkSize: options.chunkSize })
    }
    const stream = State.stream(
      this.state,
      () => Executor.map(task, inputs, mapOptions) as Stream.Stream<A, unknown, Executor.Executor>
    )
    return iterate(stream, { signal: options?.signal, keepAlive: true })
  }
}
