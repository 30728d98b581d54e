// A task module in TypeScript, run as it is where the runtime strips types (Node 22.18+, 24).
import { Task } from "@effect-futures/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export class TooLongError extends Schema.TaggedError<TooLongError>()("TooLongError", {
  length: Schema.Number
}) {}

export const measure = Task.make("measure", {
  payload: Schema.String,
  success: Schema.Struct({ length: Schema.Number, pid: Schema.Number }),
  failure: TooLongError,
  run: (text) =>
    text.length > 10
      ? Effect.fail(new TooLongError({ length: text.length }))
      : Effect.sync(() => ({ length: text.length, pid: process.pid })).pipe(Effect.withSpan("measuring"))
})
