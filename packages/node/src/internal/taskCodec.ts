/**
 * How a task's values cross the boundary, on each side. Schema tasks are encoded with their schemas
 * (input in the caller, output in the worker) and decoded on the other side; `Task.fromFunction` tasks go
 * as they are (structured clone on threads, `advanced` serialization on processes). Each codec is built
 * once per task and reused: the hot path does no schema lookups.
 *
 * Erasable TypeScript only: the worker entry imports this file under plain Node.
 *
 * @internal
 */
import type { Task } from "@effect-futures/core"
import { TaskDecodeError, TaskEncodeError } from "@effect-futures/core/FutureError"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import { Transferable } from "effect/workers"
import type { Transferable as PlatformTransferable } from "node:worker_threads"
import { describeIssue, formatPath, shorten } from "./issueMessage.ts"
import { deserializeError } from "./errorCodec.ts"
import * as Protocol from "./protocol.ts"

export type Coded =
  | { readonly ok: true; readonly value: unknown; readonly transfer?: ReadonlyArray<PlatformTransferable> | undefined }
  | { readonly ok: false; readonly message: string }

export type Coder = (value: unknown) => Coded

const identity: Coder = (value) => ({ ok: true, value })

/** A schema parser of this file: `Schema.decodeUnknownExit(schema)` and its kin. */
export type Parse = (value: unknown, options?: SchemaAST.ParseOptions) => Exit.Exit<unknown, unknown>

/**
 * What a coder's messages say they checked, with its task: `task "greet": input`. The task's value on the way
 * in is its `input`; on the way out, its `result` or its typed `error`.
 */
export const subjectOf = (task: Task.Any, part: "input" | "result" | "error"): string => `task "${task.name}": ${part}`

/** Parsing again after a failure: every failing field, each with the value it got. */
const detailed: SchemaAST.ParseOptions = { errors: "all", reportInput: true }

const thrownMessage = (error: unknown): string => shorten(error instanceof Error ? error.message : String(error))

/**
 * Why a parse failed, saying where: each failing field's path and message (`input.user.name: Expected string,
 * got 42`). The hot path parses with Effect's defaults (first error, no input kept); only a failure parses
 * again with `detailed`, for the full story. A failure that is not a schema's keeps its own message.
 */
const failureMessage = (
  subject: string,
  cause: Cause.Cause<unknown>,
  again: () => Exit.Exit<unknown, unknown>
): string => {
  const error = Cause.findError(cause)
  if (Result.isFailure(error)) return `${subject}: ${shorten(Cause.pretty(cause))}`
  const failure = error.success
  if (!Schema.isSchemaError(failure)) return `${subject}: ${thrownMessage(failure)}`
  let issue = failure.issue
  try {
    const exit = again()
    const detailedError = Exit.isFailure(exit) ? Cause.findError(exit.cause) : undefined
    if (detailedError !== undefined && Result.isSuccess(detailedError) && Schema.isSchemaError(detailedError.success)) {
      issue = detailedError.success.issue
    }
  } catch {
    // The first issue still says where.
  }
  return describeIssue(subject, issue)
}

/** A coder over a schema parser: its value, or why it failed and where. Also the cluster's JSON codec's. */
export const schemaCoder =
  (parse: Parse, subject: string): Coder =>
  (value) => {
    let exit: Exit.Exit<unknown, unknown>
    try {
      exit = parse(value)
    } catch (error) {
      return { ok: false, message: `${subject}: ${thrownMessage(error)}` }
    }
    return Exit.isSuccess(exit)
      ? { ok: true, value: exit.value }
      : { ok: false, message: failureMessage(subject, exit.cause, () => parse(value, detailed)) }
  }

/** `typeof` of the values of a bare `Schema.Number`, `Schema.String` or `Schema.Boolean`. */
const primitiveTypes: Readonly<Record<string, string>> = { Number: "number", String: "string", Boolean: "boolean" }

/**
 * A bare primitive schema (no checks, no transformation) encodes and decodes a value of its type to itself:
 * a `typeof` test does its work, about a tenth of a full Schema pass (the empty task's hot path). Anything
 * else, and a value of the wrong type (for the schema's own message), takes the full coder.
 */
const identityFastPath = (schema: Schema.Top, full: Coder): Coder => {
  const ast = schema.ast
  const type = primitiveTypes[ast._tag]
  if (type === undefined || ast.checks !== undefined || ast.encoding !== undefined || ast.context !== undefined) {
    return full
  }
  return (value) => (typeof value === type ? { ok: true, value } : full(value))
}

const encoder = (schema: Schema.Top, subject: string): Coder =>
  identityFastPath(schema, schemaCoder(Schema.encodeUnknownExit(schema as any) as Parse, subject))

/**
 * Encodes with a `Transferable.Collector` in scope, so fields marked with `Transferable.schema` (from
 * `effect/workers`) are moved, not copied, to or from a worker thread. About 0.4 µs more than a plain encode.
 */
const transferringEncoder = (schema: Schema.Top, subject: string): Coder =>
  identityFastPath(schema, fullTransferringEncoder(schema, subject))

const fullTransferringEncoder = (schema: Schema.Top, subject: string): Coder => {
  const encode = Schema.encodeUnknownEffect(schema as any) as (
    value: unknown,
    options?: SchemaAST.ParseOptions
  ) => Effect.Effect<unknown, unknown>
  const collector = Transferable.makeCollectorUnsafe()
  const run = (value: unknown, options?: SchemaAST.ParseOptions): Exit.Exit<unknown, unknown> =>
    Effect.runSyncExit(Effect.provideService(encode(value, options), Transferable.Collector, collector))
  return (value) => {
    let exit: Exit.Exit<unknown, unknown>
    try {
      exit = run(value)
    } catch (error) {
      collector.clearUnsafe()
      return { ok: false, message: `${subject}: ${thrownMessage(error)}` }
    }
    const transfer = collector.clearUnsafe()
    if (Exit.isFailure(exit)) {
      const message = failureMessage(subject, exit.cause, () => run(value, detailed))
      collector.clearUnsafe()
      return { ok: false, message }
    }
    return transfer.length === 0 ? { ok: true, value: exit.value } : { ok: true, value: exit.value, transfer }
  }
}
const decoder = (schema: Schema.Top, subject: string): Coder =>
  identityFastPath(schema, schemaCoder(Schema.decodeUnknownExit(schema as any) as Parse, subject))

/** The worker's side: decode the input, encode the success or the typed failure. */
export interface WorkerCodec {
  readonly task: Task.Any
  readonly decodeInput: Coder
  readonly encodeSuccess: Coder
  readonly encodeFailure: Coder
}

export const workerCodec = (task: Task.Any): WorkerCodec =>
  task.codec === "schema"
    ? {
        task,
        decodeInput: decoder(task.payload, subjectOf(task, "input")),
        encodeSuccess: transferringEncoder(task.success, subjectOf(task, "result")),
        encodeFailure: encoder(task.failure, subjectOf(task, "error"))
      }
    : {
        task,
        decodeInput: identity,
        encodeSuccess: (value) => ({
          ok: true,
          value,
          transfer: typeof value === "object" && value !== null ? Protocol.transferRegistry.get(value) : undefined
        }),
        encodeFailure: encoder(task.failure, subjectOf(task, "error"))
      }

/** The caller's side: encode the input, decode the success or the typed failure. */
export interface CallerCodec {
  readonly encodeInput: Coder
  readonly decodeSuccess: Coder
  readonly decodeFailure: Coder
}

const callerCodecs = new WeakMap<Task.Any, CallerCodec>()

export const callerCodec = (task: Task.Any): CallerCodec => {
  let codec = callerCodecs.get(task)
  if (codec === undefined) {
    codec =
      task.codec === "schema"
        ? {
            encodeInput: transferringEncoder(task.payload, subjectOf(task, "input")),
            decodeSuccess: decoder(task.success, subjectOf(task, "result")),
            decodeFailure: decoder(task.failure, subjectOf(task, "error"))
          }
        : {
            encodeInput: checkCloneable(subjectOf(task, "input")),
            decodeSuccess: identity,
            decodeFailure: decoder(task.failure, subjectOf(task, "error"))
          }
    callerCodecs.set(task, codec)
  }
  return codec
}

/**
 * Rejects, at submit, the inputs structured clone would reject later (functions and symbols), looking a
 * bounded way into plain objects and arrays, and says where the value is: `task "add": input.b is a function`.
 * What it does not see still fails, when the input is sent.
 */
const checkCloneable =
  (subject: string): Coder =>
  (value) => {
    const found = findUncloneable(value, [], 0)
    return found === undefined
      ? { ok: true, value }
      : {
          ok: false,
          message: `${formatPath(subject, found.path)} is ${found.what}, which cannot be sent to a worker`
        }
  }

interface Uncloneable {
  readonly what: string
  readonly path: ReadonlyArray<PropertyKey>
}

const findUncloneable = (value: unknown, path: Array<PropertyKey>, depth: number): Uncloneable | undefined => {
  switch (typeof value) {
    case "function":
      return { what: `a function${value.name ? ` (${value.name})` : ""}`, path }
    case "symbol":
      return { what: `a symbol (${String(value)})`, path }
    case "object": {
      if (value === null || depth > 4) return undefined
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && i < 64; i++) {
          const found = findUncloneable(value[i], [...path, i], depth + 1)
          if (found !== undefined) return found
        }
        return undefined
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return undefined
      let seen = 0
      for (const key in value) {
        if (++seen > 64) break
        const found = findUncloneable((value as Record<string, unknown>)[key], [...path, key], depth + 1)
        if (found !== undefined) return found
      }
      return undefined
    }
    default:
      return undefined
  }
}

/**
 * The caller's reading of a worker's answer: the `Exit` its future ends with (a chunk's answer is the
 * `Exit` of each input, in order).
 */
export const decodeResult = (
  task: Task.Any,
  codec: CallerCodec,
  status: Protocol.Status,
  value: unknown
): Exit.Exit<unknown, unknown> => {
  switch (status) {
    case Protocol.SUCCESS: {
      const decoded = codec.decodeSuccess(value)
      return decoded.ok
        ? Exit.succeed(decoded.value)
        : Exit.fail(new TaskDecodeError({ task: task.name, message: decoded.message }))
    }
    case Protocol.FAILURE: {
      const decoded = codec.decodeFailure(value)
      return decoded.ok
        ? Exit.fail(decoded.value)
        : Exit.fail(new TaskDecodeError({ task: task.name, message: decoded.message }))
    }
    case Protocol.DEFECT:
      return Exit.die(deserializeError(value as Protocol.SerializedError))
    case Protocol.INTERRUPTED:
      return Exit.interrupt()
    case Protocol.DECODE_FAILED:
      return Exit.fail(new TaskDecodeError({ task: task.name, message: String(value) }))
    case Protocol.ENCODE_FAILED:
      return Exit.fail(new TaskEncodeError({ task: task.name, message: String(value) }))
    case Protocol.CHUNK: {
      const results = value as ReadonlyArray<unknown>
      const exits: Array<Exit.Exit<unknown, unknown>> = []
      for (let i = 0; i < results.length; i += 2) {
        exits.push(decodeResult(task, codec, results[i] as Protocol.Status, results[i + 1]))
      }
      return Exit.succeed(exits)
    }
  }
}

/** Encodes each input of a chunk; the first that cannot be encoded refuses the whole chunk. */
export const encodeChunk = (codec: CallerCodec, inputs: ReadonlyArray<unknown>): Coded => {
  const values: Array<unknown> = []
  let transfer: Array<PlatformTransferable> | undefined = undefined
  for (const input of inputs) {
    const encoded = codec.encodeInput(input)
    if (!encoded.ok) return encoded
    values.push(encoded.value)
    if (encoded.transfer !== undefined) (transfer ??= []).push(...encoded.transfer)
  }
  return transfer === undefined ? { ok: true, value: values } : { ok: true, value: values, transfer }
}

/** What a failed `Exit` holds, as one value: its error, its defect, or an "interrupted" error. */
export const squashExit = (exit: Exit.Failure<unknown, unknown>): unknown => {
  const reason = exit.cause.reasons[0]
  if (reason === undefined) return new Error("interrupted")
  switch (reason._tag) {
    case "Fail":
      return reason.error
    case "Die":
      return reason.defect
    default:
      return new Error("interrupted")
  }
}
