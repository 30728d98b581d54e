/**
 * The client side of the cluster executor: core's executor lifecycle (admission, the queue, shutdown and scope
 * close, stats) over a bounded number of sends in flight. At most `maxWorkers` tasks are sent at a time; the
 * rest wait in the client's queue, where `cancel` is real (a cancelled task is never sent). Each sent task is a
 * fiber running the entity's run RPC; interrupting that fiber makes Effect Cluster send an interrupt to the
 * runner's handler, and the future ends cancelled.
 *
 * @internal
 */
import type { Executor, Task } from "@effect-futures/core"
import { BrokenExecutorError, ExecutorShutdownError, TaskEncodeError } from "@effect-futures/core/FutureError"
import { FutureImpl, setRunningUnsafe } from "@effect-futures/core/internal/future"
import * as Lifecycle from "@effect-futures/core/internal/lifecycle"
import type { AttemptOptions } from "@effect-futures/core/internal/taskControl"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Schema from "effect/Schema"
import { codecOf, decodeResult, type TaskCodec } from "./resultCodec.ts"
import { type RunResult, RunPayload } from "./taskEntity.ts"

/** Sends one run request to the entity its id maps to and waits for the reply. */
export type Send = (request: RunPayload) => Effect.Effect<RunResult, unknown>

interface Item extends Lifecycle.Queued {
  readonly task: Task.Any
  readonly codec: TaskCodec
  readonly request: RunPayload
}

/** A future whose task is a fiber sending its request: `Future.interrupt` interrupts that fiber. */
class SentFuture<A, E> extends FutureImpl<A, E> {
  fiber: Fiber.Fiber<RunResult, unknown> | undefined = undefined
  /** The client asked for the interrupt: only then does an interruption end the future cancelled. */
  interrupting = false
  override stopTask(): Effect.Effect<void> | undefined {
    if (this.fiber === undefined) return undefined
    this.interrupting = true
    return Fiber.interrupt(this.fiber)
  }
}

export interface ClientOptions {
  readonly maxWorkers: number
  readonly name: string
  readonly tracing: boolean
  readonly send: Send
  readonly context: Context.Context<never>
}

export class ClusterClient {
  readonly life: Lifecycle.Lifecycle<Item>
  private inFlight = 0
  private readonly maxWorkers: number
  private readonly send: Send
  private readonly fork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

  constructor(options: ClientOptions) {
    this.maxWorkers = options.maxWorkers
    this.send = options.send
    this.fork = Effect.runForkWith(options.context)
    this.life = Lifecycle.make<Item>(
      {
        idle: () => this.inFlight === 0 && this.life.queued === 0,
        interrupt: (future) => Effect.asVoid((future as SentFuture<any, any>).stopTask() ?? Effect.void)
      },
      {
        kind: "cluster",
        name: options.name,
        maxWorkers: options.maxWorkers,
        context: options.context,
        tracing: options.tracing
      }
    )
  }

  submit(
    task: Task.Any,
    input: unknown,
    options: AttemptOptions | undefined
  ): Effect.Effect<FutureImpl<any, any>, ExecutorShutdownError | TaskEncodeError> {
    return Effect.withFiber((fiber): Effect.Effect<FutureImpl<any, any>, ExecutorShutdownError | TaskEncodeError> => {
      // A broken executor still takes the submit: its future fails with the executor's error.
      const refused = Lifecycle.admit(this.life)
      if (refused?._tag === "ExecutorShutdownError") return Effect.fail(refused)
      const codec = codecOf(task)
      const encoded = codec.encodeInput(input)
      if (!encoded.ok) return Effect.fail(new TaskEncodeError({ task: task.name, message: encoded.message }))
      const future = new SentFuture<any, any>()
      future.owner = this.onDone
      // Its timeout (which interrupts it, on the runner too), its span; started and ended by the lifecycle.
      future.control = Lifecycle.controlOf(this.life, fiber.context, task.name, future, options)
      const item: Item = {
        future,
        task,
        codec,
        request: new RunPayload({
          id: options?.id ?? crypto.randomUUID(),
          task: task.name,
          input: encoded.value as Schema.Json
        })
      }
      if (this.inFlight < this.maxWorkers && this.life.queue.length === 0) this.start(item)
      else Lifecycle.enqueue(this.life, item)
      return Effect.succeed(future)
    })
  }

  /** Sends the item's request in a fiber of its own; its reply (or its end) completes the future. */
  private start(item: Item): void {
    const future = item.future as SentFuture<any, any>
    if (setRunningUnsafe(future) !== "running") return
    future.startedAt = performance.now()
    Lifecycle.addRunning(this.life, future)
    this.inFlight++
    this.life.stats.setWorkers(this.inFlight)
    this.life.stats.setBusy(this.inFlight)
    const span = future.control?.span
    // Effect Cluster's own spans (and the runner's, through its headers) go under the task's span.
    const fiber = this.fork(
      span === undefined ? this.send(item.request) : Effect.withParentSpan(this.send(item.request), span)
    )
    future.fiber = fiber
    fiber.addObserver((exit) => this.ended(item, exit))
  }

  private ended(item: Item, exit: Exit.Exit<RunResult, unknown>): void {
    const future = item.future as SentFuture<any, any>
    future.fiber = undefined
    Lifecycle.removeRunning(this.life, future)
    this.inFlight--
    this.life.stats.ran(performance.now() - future.startedAt!)
    Lifecycle.completeLater(this.life, future, this.exitOf(item, exit))
    // The slot goes to the next queued task that was not cancelled while it waited.
    while (this.inFlight < this.maxWorkers && Lifecycle.isServing(this.life)) {
      const next = Lifecycle.takeQueued(this.life)
      if (next === undefined) break
      if (next.future.state === "pending") this.start(next)
    }
    this.life.stats.setWorkers(this.inFlight)
    this.life.stats.setBusy(this.inFlight)
    Lifecycle.flush(this.life)
  }

  private exitOf(item: Item, exit: Exit.Exit<RunResult, unknown>): Exit.Exit<unknown, unknown> {
    const result = Exit.isSuccess(exit) ? decodeResult(item.task, item.codec, exit.value) : exit
    if (Exit.isSuccess(result)) return result
    const failure = result.cause.reasons.find((reason) => reason._tag === "Fail" || reason._tag === "Die")
    if (failure === undefined) {
      // Interrupted without the client asking: the runner stopped while it ran the task (a runner shutting down
      // interrupts what it still runs after its termination timeout; a volatile task is then not sent again).
      return (item.future as SentFuture<any, any>).interrupting
        ? Exit.interrupt()
        : Exit.fail(
            new BrokenExecutorError({
              message: `task "${item.task.name}" (id ${item.request.id}) was interrupted on its runner: the runner stopped`
            })
          )
    }
    if (Exit.isSuccess(exit)) return result
    const error = failure._tag === "Fail" ? failure.error : failure.defect
    // The cluster could not deliver the request or store its reply (storage down, mailbox full).
    return Exit.fail(
      new BrokenExecutorError({
        message: `the cluster could not run task "${item.task.name}" (id ${item.request.id}): ${messageOf(error)}`,
        cause: error
      })
    )
  }

  /** Told first when a future ends, before its waiters resume. */
  private readonly onDone = (future: FutureImpl<any, any>): void => {
    Lifecycle.futureEnded(this.life, future)
    Lifecycle.notifyIfDrained(this.life)
  }

  close(exit: Exit.Exit<unknown, unknown>, shutdownTimeout: Duration.Duration | undefined): Effect.Effect<void> {
    return Lifecycle.close(this.life, exit, shutdownTimeout)
  }
}

const messageOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : typeof error === "object" && error !== null && "_tag" in error
      ? String(error._tag)
      : String(error)

/** The `Executor` service over a client. */
export const executorOf = (client: ClusterClient, maxWorkers: number): Executor.ExecutorShape => ({
  maxWorkers,
  submitTask: (task, input, options) => client.submit(task, input, options) as any,
  shutdown: (options) => Lifecycle.shutdown(client.life, options),
  stats: Effect.sync(() => client.life.stats.snapshot()),
  whenShutdown: Lifecycle.whenShutdown(client.life)
})
