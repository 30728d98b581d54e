// The same task module, importing effect and ours through their indexes (as most examples do).
import { Task } from "@effect-futures/core"
import { Effect, Schema } from "effect"

export const noop = Task.make("noop", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.succeed(n)
})
