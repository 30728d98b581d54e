/**
 * Errors across a worker boundary: what survives of one (name, message, stack) as a `SerializedError`, and an
 * `Error` made again from it on the other side. Shared by the task answers (a defect), the load failures and
 * the replayed spans.
 *
 * Erasable TypeScript only: the worker entry imports this file under plain Node.
 *
 * @internal
 */
import type { SerializedError } from "./protocol.ts"

export const serializeError = (error: unknown): SerializedError => {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack }
  }
  if (typeof error === "object" && error !== null && "message" in error) {
    const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown }
    return {
      name: typeof name === "string" ? name : "Error",
      message: describeValue(message),
      stack: typeof stack === "string" ? stack : undefined
    }
  }
  return { name: "Error", message: describeValue(error) }
}

/** `String(value)`, or what `Object.prototype.toString` says of a value that has no string form. */
export const describeValue = (value: unknown): string => {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

export const deserializeError = (serialized: SerializedError): Error => {
  const error = new Error(serialized.message)
  error.name = serialized.name
  if (serialized.stack !== undefined) error.stack = serialized.stack
  return error
}
