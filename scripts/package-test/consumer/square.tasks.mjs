// A task module in plain JavaScript, as a user without TypeScript writes one.
import { Task } from "@effect-futures/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class NegativeError extends Schema.TaggedError()("NegativeError", { value: Schema.Number }) {}

export const square = Task.make("square", {
  payload: Schema.Number,
  success: Schema.Number,
  failure: NegativeError,
  run: (n) => (n < 0 ? Effect.fail(new NegativeError({ value: n })) : Effect.succeed(n * n))
})

export const shout = Task.fromFunction("shout", (text) => `${String(text).toUpperCase()}!`)
