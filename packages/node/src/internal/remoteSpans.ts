/**
 * Spans that a task makes in its worker, carried back to the caller's tracer. In the worker, a traced task runs
 * under a span whose parent is its task span in the caller (same trace id), with a tracer that records every
 * span it ends ({@link runTraced}); the records go back with the task's answer, and the caller replays each into
 * its own tracer with its own name, attributes, events and timings, under the span it had in the worker
 * ({@link emitSpans}). A user with a tracer only in the main thread sees one trace.
 *
 * Erasable TypeScript only: the worker entry imports this file under plain Node.
 *
 * @internal
 */
import type { TaskControl } from "@effect-futures/core/internal/taskControl"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { describeValue, deserializeError, serializeError } from "./errorCodec.ts"
import type { SerializedError, TraceParent, WireSpan } from "./protocol.ts"

/** How a recorded span ended. */
const SUCCESS = 0
const FAILURE = 1
const DEFECT = 2
const INTERRUPTED = 3

/**
 * A value a span may carry that crosses as it is, and arrays of them (nested a few deep: a cycle stops there);
 * anything else crosses as its string.
 */
const plain = (value: unknown, depth = 0): unknown => {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return value
    default:
      return value === null
        ? value
        : Array.isArray(value) && depth < 3
          ? value.map((item) => plain(item, depth + 1))
          : describeValue(value)
  }
}

const plainRecord = (attributes: Record<string, unknown>): Record<string, unknown> => {
  const result: Record<string, unknown> = {}
  for (const key in attributes) result[key] = plain(attributes[key])
  return result
}

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): readonly [0 | 1 | 2 | 3, SerializedError | undefined] => {
  if (Exit.isSuccess(exit)) return [SUCCESS, undefined]
  for (const reason of exit.cause.reasons) {
    if (reason._tag === "Fail") return [FAILURE, serializeError(reason.error)]
    if (reason._tag === "Die") return [DEFECT, serializeError(reason.defect)]
  }
  return [INTERRUPTED, undefined]
}

/** A span of the worker's tracer: native, and recorded into `spans` when it ends. */
class RecordingSpan extends Tracer.NativeSpan {
  readonly spans: Array<WireSpan>

  constructor(options: ConstructorParameters<typeof Tracer.NativeSpan>[0], spans: Array<WireSpan>) {
    super(options)
    this.spans = spans
  }

  override end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    if (this.status._tag === "Ended") return
    super.end(endTime, exit)
    // Tracing never changes a task's outcome: a span that cannot be recorded is left out.
    try {
      this.record(endTime, exit)
    } catch {
      // left out
    }
  }

  private record(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    const parent = Option.getOrUndefined(this.parent)
    const [outcome, error] = outcomeOf(exit)
    this.spans.push([
      this.name,
      this.spanId,
      parent?.spanId,
      this.kind,
      this.startTime,
      endTime,
      this._attributes === undefined ? [] : [...this._attributes].map(([key, value]) => [key, plain(value)] as const),
      this._events === undefined
        ? []
        : this._events.map(([name, time, attributes]) => [name, time, plainRecord(attributes)] as const),
      outcome,
      error
    ])
  }
}

/**
 * Runs a task of the worker under its span, a child of the caller's task span, recording into `spans` every
 * span that ends.
 */
export const runTraced = <A, E>(
  effect: Effect.Effect<A, E>,
  taskName: string,
  [traceId, spanId, sampled]: TraceParent,
  spans: Array<WireSpan>,
  attributes: Record<string, unknown>
): Effect.Effect<A, E> =>
  Effect.provideService(
    Effect.withSpan(effect, `effect_futures.run ${taskName}`, {
      parent: Tracer.externalSpan({ traceId, spanId, sampled }),
      attributes
    }),
    Tracer.Tracer,
    Tracer.make({ span: (options) => new RecordingSpan(options, spans) })
  )

const exitOf = ([, , , , , , , , outcome, error]: WireSpan): Exit.Exit<unknown, unknown> => {
  switch (outcome) {
    case SUCCESS:
      return Exit.void
    case FAILURE:
      return Exit.fail(deserializeError(error!))
    case DEFECT:
      return Exit.die(deserializeError(error!))
    default:
      return Exit.interrupt()
  }
}

/**
 * Replays a worker's spans into the caller's tracer (the submitter's), under the task span: each keeps its name,
 * attributes, events, timings and outcome, and its parent among them. A parent always goes first.
 */
export const emitSpans = (control: TaskControl, spans: ReadonlyArray<WireSpan>): void => {
  const taskSpan = control.span
  if (taskSpan === undefined || spans.length === 0) return
  const tracer = Context.get(control.context, Tracer.Tracer)
  const records = new Map<string, WireSpan>()
  for (const span of spans) records.set(span[1], span)
  const emitted = new Map<string, Tracer.Span>()
  const emit = (record: WireSpan): Tracer.Span => {
    const done = emitted.get(record[1])
    if (done !== undefined) return done
    const parentId = record[2]
    const parentRecord = parentId === undefined ? undefined : records.get(parentId)
    // The worker's task span's parent is the caller's task span, which the worker knew by the same id.
    const parent = parentRecord === undefined ? taskSpan : emit(parentRecord)
    const [name, , , kind, startTime, endTime, attributes, events] = record
    const span = tracer.span({
      name,
      parent: Option.some(parent),
      annotations: Context.empty(),
      links: [],
      startTime,
      kind,
      root: false,
      sampled: taskSpan.sampled
    })
    for (const [key, value] of attributes) span.attribute(key, value)
    for (const [eventName, time, eventAttributes] of events) span.event(eventName, time, eventAttributes)
    span.end(endTime, exitOf(record))
    emitted.set(record[1], span)
    return span
  }
  for (const record of spans) emit(record)
}
