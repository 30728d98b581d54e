// The task module of the start-up comparison: one empty `Task.make` task, in plain JavaScript as an app runs
// it once built (a `.ts` one also loads Node's type stripper in every worker). Every worker loads it, so it
// imports what it uses module by module: effect's index alone is ~250 modules, most of them unused here.
import * as Task from "@effect-futures/core/Task"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const noop = Task.make("noop", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.succeed(n)
})
