/**
 * What a submit asked of one task beyond running it (`SubmitOptions`: `timeout`, `id`, a retry's attempt) and
 * its span in the caller's trace. A future carries one only when there is something to do: a task submitted
 * without options, by an executor with tracing off or a fiber with no span, has none, and its executor pays
 * for one field check at its start and at its end.
 *
 * Every executor drives it through the shared lifecycle: {@link make} when the future is made, {@link started}
 * when its task starts (`Lifecycle.addRunning`), {@link ended} when it ends (`Lifecycle.futureEnded`).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"
import { TimeoutError } from "../FutureError.ts"

/**
 * The part of `SubmitOptions` a task's control reads.
 * @internal
 */
export interface ControlOptions {
  readonly timeout?: Duration.Input | undefined
  readonly id?: string | undefined
}

/**
 * Told when an attempt of a retried task starts: the retried future goes `running` with its first attempt.
 * Carried under this key on the options a retry submits each attempt with, never set by users.
 * @internal
 */
export const AttemptStarted = "~@effect-futures/core/AttemptStarted" as const

/** @internal */
export interface AttemptOptions extends ControlOptions {
  readonly [AttemptStarted]?: (() => void) | undefined
}

/**
 * The executor a task runs on, as its span names it.
 * @internal
 */
export interface ExecutorInfo {
  readonly kind: string
  readonly name: string
  /** `tracing: false` on the Layer: no span for its tasks. */
  readonly tracing: boolean
}

/**
 * One task's control record. Its timeout is a deadline: `deadline` is set when the task starts, and from then
 * on the future ends with `timedOut` (made when the timer fires, or when an exit arrives after the deadline),
 * whatever the task's own exit is.
 * @internal
 */
export interface TaskControl {
  readonly taskName: string
  readonly id: string | undefined
  readonly timeoutMillis: number | undefined
  /** The submitter's services: its `Clock` runs the timeout, its `Tracer` gets the spans. */
  readonly context: Context.Context<never>
  /** The task's span in the caller's trace, child of the submitter's span. */
  readonly span: Tracer.Span | undefined
  readonly onStart: (() => void) | undefined
  /** Waits for the deadline; unset once it fired, or when the future ended first. */
  timer: Fiber.Fiber<unknown> | undefined
  /** When the timeout elapses, in milliseconds on the submitter's clock: set when the task starts. */
  deadline: number | undefined
  timedOut: TimeoutError | undefined
  /** It started executing (once: a task handed again after its worker died starts once). */
  hasStarted: boolean
}

/**
 * What a control reads of its future (the future's module imports this one, not the other way round).
 * @internal
 */
export interface ControlledFuture {
  readonly state: string
  readonly exit: Exit.Exit<unknown, unknown> | undefined
}

/**
 * The control of a task just submitted, or `undefined` when there is nothing to control: no timeout, no id, no
 * attempt, and no span (tracing off, no span in the submitter, or the submitter's tracer disabled).
 * @internal
 */
export const make = (
  executor: ExecutorInfo,
  context: Context.Context<never>,
  taskName: string,
  futureId: number,
  options: AttemptOptions | undefined
): TaskControl | undefined => {
  const parent = executor.tracing ? Context.getOrUndefined(context, Tracer.ParentSpan) : undefined
  if (parent === undefined && options === undefined) return undefined
  const timeout = options?.timeout
  const id = options?.id
  const onStart = options?.[AttemptStarted]
  const span = parent === undefined ? undefined : taskSpan(executor, context, parent, taskName, futureId, id)
  if (span === undefined && timeout === undefined && id === undefined && onStart === undefined) return undefined
  return {
    taskName,
    id,
    timeoutMillis: timeout === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(timeout)),
    context,
    span,
    onStart,
    timer: undefined,
    deadline: undefined,
    timedOut: undefined,
    hasStarted: false
  }
}

const taskSpan = (
  executor: ExecutorInfo,
  context: Context.Context<never>,
  parent: Tracer.AnySpan,
  taskName: string,
  futureId: number,
  id: string | undefined
): Tracer.Span | undefined => {
  if (!Context.get(context, References.TracerEnabled)) return undefined
  const span = Context.get(context, Tracer.Tracer).span({
    name: `effect_futures.task ${taskName}`,
    parent: Option.some(parent),
    annotations: Context.empty(),
    links: [],
    startTime: nowNanos(context),
    kind: "internal",
    root: false,
    sampled: parent.sampled
  })
  span.attribute("executor.name", executor.name)
  span.attribute("executor.kind", executor.kind)
  span.attribute("task.name", taskName)
  span.attribute("future.id", futureId)
  if (id !== undefined) span.attribute("task.id", id)
  return span
}

/**
 * The time on the submitter's clock, in nanoseconds (the unit of span times).
 * @internal
 */
export const nowNanos = (context: Context.Context<never>): bigint =>
  Context.get(context, Clock.Clock).currentTimeNanosUnsafe()

/**
 * The task started (on `worker`, in a pool): the span records it, a retry's future goes running, and the timeout
 * starts counting. When it elapses, `expire` ends the future with its `TimeoutError` at once and stops the task
 * where it runs (the lifecycle's rule: `Lifecycle.taskStarted`).
 * @internal
 */
export const started = <F extends ControlledFuture>(
  control: TaskControl,
  future: F,
  expire: (future: F) => Effect.Effect<unknown>,
  worker?: number
): void => {
  if (control.hasStarted || future.exit !== undefined) return
  control.hasStarted = true
  control.span?.event("started", nowNanos(control.context), worker === undefined ? undefined : { "worker.id": worker })
  control.onStart?.()
  const millis = control.timeoutMillis
  if (millis === undefined) return
  control.deadline = Context.get(control.context, Clock.Clock).currentTimeMillisUnsafe() + millis
  control.timer = Effect.runForkWith(control.context)(
    Effect.andThen(
      // Never on the pool's own stack: a sleep of 0 (and TestClock's sleep past its time) ends at once, inside
      // the start that is still making the pool consistent.
      millis <= 0 ? Effect.yieldNow : Effect.sleep(millis),
      Effect.suspend(() => {
        control.timer = undefined
        control.timedOut ??= timeoutError(control)
        return expire(future)
      })
    )
  )
}

const timeoutError = (control: TaskControl): TimeoutError =>
  new TimeoutError(
    `the task "${control.taskName}"${control.id === undefined ? "" : ` (id ${control.id})`} did not finish within ${Duration.format(Duration.millis(control.timeoutMillis!))}`
  )

/**
 * The exit a future with this control ends with: once the deadline has passed, its `TimeoutError`, whatever
 * the task answered (a late result is dropped: a synchronous task in this process, or a worker's reply read
 * before the timer's turn, ends after its deadline without the timer having fired).
 * @internal
 */
export const exitAtEnd = <A, E>(control: TaskControl, exit: Exit.Exit<A, E>): Exit.Exit<A, E | TimeoutError> => {
  const deadline = control.deadline
  if (control.timedOut === undefined) {
    if (deadline === undefined || Context.get(control.context, Clock.Clock).currentTimeMillisUnsafe() < deadline) {
      return exit
    }
    control.timedOut = timeoutError(control)
  }
  return Exit.fail(control.timedOut)
}

/**
 * The task's future ended: its timer stops and its span ends with the outcome.
 * @internal
 */
export const ended = (control: TaskControl, future: ControlledFuture): void => {
  const timer = control.timer
  if (timer !== undefined) {
    control.timer = undefined
    timer.interruptUnsafe()
  }
  const span = control.span
  if (span !== undefined) {
    span.attribute("task.outcome", future.state)
    span.end(nowNanos(control.context), future.exit!)
  }
}
