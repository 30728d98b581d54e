/**
 * `submit` and `map` of the executors that run Tasks in workers (threads or processes).
 *
 * @internal
 */
import { Executor, type FutureError, type Task } from "@effect-futures/core"
import type { TimeoutError } from "@effect-futures/core/FutureError"
import type { NodeExecutor } from "@effect-futures/node"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { checkTaskSubmit, requireTask } from "./arguments.ts"
import { BaseExecutor } from "./base.ts"
import * as State from "./executor.ts"
import type { Future } from "./future.ts"
import { iterate } from "./iterate.ts"

/**
 * Options of `submit` on a worker executor: those of the Effect API's `Executor.submit` (`timeout`, which stops
 * the task; `retry`; `id`; `transfer`), and an `AbortSignal`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskSubmitOptions<E = unknown> extends Executor.SubmitOptions<E> {
  /** Aborting it cancels the task if it has not started, or interrupts it in its worker. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Options of `map`: those of the Effect API's `Executor.map` (`buffer`, `timeout` for the whole loop counted
 * from the first `next()`, `chunkSize`, `taskTimeout`, `retry`), and an `AbortSignal`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapOptions extends Executor.MapOptions {
  /** Aborting it stops the loop: the tasks not started are cancelled, the running ones interrupted. */
  readonly signal?: AbortSignal | undefined
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
   * `ExecutorShutdownError` after `shutdown`, and a `TypeError` at once if `task` is not a Task (a plain
   * function cannot cross to a worker: define it in the task module with `defineTask`).
   */
  submit<I, A, E>(
    task: Task.Task<I, A, E>,
    input: I,
    options?: TaskSubmitOptions<E | WorkerError> & { readonly timeout?: undefined }
  ): Future<A, E | WorkerError>
  submit<I, A, E>(
    task: Task.Task<I, A, E>,
    input: I,
    options: TaskSubmitOptions<E | WorkerError | TimeoutError>
  ): Future<A, E | WorkerError | TimeoutError>
  submit<I, A, E>(task: Task.Task<I, A, E>, input: I, options?: TaskSubmitOptions<any>): Future<A, unknown> {
    requireTask(`${this.constructor.name}.submit`, task)
    if (options !== undefined || arguments.length > 3) {
      checkTaskSubmit(`${this.constructor.name}.submit`, options, arguments.length)
    }
    // Without options, straight to the executor's own submit: the path of most tasks.
    if (options === undefined)
      return State.submit(this.state, (ready) => ready.executor.submitTask(task, input), undefined)
    const { signal, ...submitOptions } = options
    return State.submit(
      this.state,
      () => Executor.submit(task, input, submitOptions as Executor.SubmitOptions<any>),
      signal
    )
  }

  /**
   * Runs `task` over the inputs and yields the results in input order (Python's `map`), as an async iterable:
   * at most `buffer` tasks in flight, inputs read lazily from the first `next()`. The first failure, in input
   * order, throws from the loop after every result before it. Leaving the loop early (`break`, `throw`, an
   * aborted `signal`) cancels the tasks not started and interrupts the running ones. Throws a `TypeError` at
   * once if `task` is not a Task.
   */
  map<I, A, E>(task: Task.Task<I, A, E>, inputs: Iterable<I>, options?: MapOptions): AsyncIterableIterator<A> {
    requireTask(`${this.constructor.name}.map`, task)
    const { signal, ...mapOptions } = options ?? {}
    const stream = State.stream(
      this.state,
      () => Executor.map(task, inputs, mapOptions) as Stream.Stream<A, unknown, Executor.Executor>
    )
    return iterate(stream, { signal, keepAlive: true })
  }
}
