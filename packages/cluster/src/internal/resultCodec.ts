/**
 * A task's values as they cross the cluster: the JSON form of the task's own schemas (`Schema.toCodecJson`), so
 * a `Date`, a `bigint` or a `Map` arrives as itself and a typed failure as an instance of its class. The runner
 * turns the local run's `Exit` into a {@link RunResult} (never a defect: see `taskEntity.ts`); the client turns
 * it back into the `Exit` its future ends with.
 *
 * @internal
 */
import type { Task } from "@effect-futures/core"
import { BrokenExecutorError, CancelledError, TaskDecodeError, TaskEncodeError } from "@effect-futures/core/FutureError"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { type Coder, type Parse, schemaCoder, subjectOf } from "@effect-futures/node/internal/taskCodec"
import type { RunResult } from "./taskEntity.ts"

const encoder = (schema: Schema.Top, subject: string): Coder =>
  schemaCoder(Schema.encodeUnknownExit(Schema.toCodecJson(schema as Schema.Codec<unknown>)) as Parse, subject)
const decoder = (schema: Schema.Top, subject: string): Coder =>
  schemaCoder(Schema.decodeUnknownExit(Schema.toCodecJson(schema as Schema.Codec<unknown>)) as Parse, subject)

/** Both directions of one task's three schemas, built once per task. */
export interface TaskCodec {
  readonly encodeInput: Coder
  readonly decodeInput: Coder
  readonly encodeSuccess: Coder
  readonly decodeSuccess: Coder
  readonly encodeFailure: Coder
  readonly decodeFailure: Coder
}

const codecs = new WeakMap<Task.Any, TaskCodec>()

export const codecOf = (task: Task.Any): TaskCodec => {
  let codec = codecs.get(task)
  if (codec === undefined) {
    const input = subjectOf(task, "input")
    const result = subjectOf(task, "result")
    const error = subjectOf(task, "error")
    codec = {
      encodeInput: encoder(task.payload, input),
      decodeInput: decoder(task.payload, input),
      encodeSuccess: encoder(task.success, result),
      decodeSuccess: decoder(task.success, result),
      encodeFailure: encoder(task.failure, error),
      decodeFailure: decoder(task.failure, error)
    }
    codecs.set(task, codec)
  }
  return codec
}

/** The errors of this library a runner's local executor may end a task with; they cross as themselves. */
const BoundaryError = Schema.Union([BrokenExecutorError, TaskEncodeError, TaskDecodeError])
const encodeBoundary = encoder(BoundaryError, "a boundary error")
const decodeBoundary = decoder(BoundaryError, "a boundary error")

const isBoundaryError = (error: unknown): error is typeof BoundaryError.Type =>
  error instanceof BrokenExecutorError || error instanceof TaskEncodeError || error instanceof TaskDecodeError

/** A boundary error as a reply; it always encodes (its fields are strings, its cause a defect). */
export const boundaryResult = (error: typeof BoundaryError.Type): RunResult => {
  const encoded = encodeBoundary(error)
  return encoded.ok
    ? { _tag: "Boundary", error: encoded.value as Schema.Json }
    : { _tag: "Defect", name: error._tag, message: error.message }
}

const defectResult = (defect: unknown): RunResult => {
  if (defect instanceof Error) {
    return defect.stack === undefined
      ? { _tag: "Defect", name: defect.name, message: defect.message }
      : { _tag: "Defect", name: defect.name, message: defect.message, stack: defect.stack }
  }
  return {
    _tag: "Defect",
    name: "Error",
    message: typeof defect === "string" ? defect : (JSON.stringify(defect) ?? "")
  }
}

/**
 * The runner's side: what a run ended with, as a reply. A cancelled local future (its executor shut down with
 * `cancelFutures`) and an interruption are `Interrupted`; a value that does not encode is a `TaskEncodeError`.
 */
export const encodeExit = (task: Task.Any, codec: TaskCodec, exit: Exit.Exit<unknown, unknown>): RunResult => {
  if (Exit.isSuccess(exit)) {
    const encoded = codec.encodeSuccess(exit.value)
    return encoded.ok
      ? { _tag: "Success", value: encoded.value as Schema.Json }
      : boundaryResult(new TaskEncodeError({ task: task.name, message: encoded.message }))
  }
  for (const reason of exit.cause.reasons) {
    if (reason._tag === "Fail") {
      const error = reason.error
      if (error instanceof CancelledError) return { _tag: "Interrupted" }
      if (isBoundaryError(error)) return boundaryResult(error)
      const encoded = codec.encodeFailure(error)
      return encoded.ok
        ? { _tag: "Failure", error: encoded.value as Schema.Json }
        : boundaryResult(new TaskEncodeError({ task: task.name, message: encoded.message }))
    }
    if (reason._tag === "Die") return defectResult(reason.defect)
  }
  return { _tag: "Interrupted" }
}

/** The client's side: a reply as the `Exit` the task's future ends with. */
export const decodeResult = (task: Task.Any, codec: TaskCodec, result: RunResult): Exit.Exit<unknown, unknown> => {
  switch (result._tag) {
    case "Success": {
      const decoded = codec.decodeSuccess(result.value)
      return decoded.ok
        ? Exit.succeed(decoded.value)
        : Exit.fail(new TaskDecodeError({ task: task.name, message: decoded.message }))
    }
    case "Failure": {
      const decoded = codec.decodeFailure(result.error)
      return decoded.ok
        ? Exit.fail(decoded.value)
        : Exit.fail(new TaskDecodeError({ task: task.name, message: decoded.message }))
    }
    case "Boundary": {
      const decoded = decodeBoundary(result.error)
      return decoded.ok
        ? Exit.fail(decoded.value)
        : Exit.fail(new TaskDecodeError({ task: task.name, message: decoded.message }))
    }
    case "Defect": {
      const error = new Error(result.message)
      error.name = result.name
      if (result.stack !== undefined) error.stack = result.stack
      return Exit.die(error)
    }
    case "Interrupted":
      return Exit.interrupt()
  }
}
