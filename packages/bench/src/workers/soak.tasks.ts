/**
 * The task module of the soak (`src/soak.ts`): tasks that succeed, crash their worker, never end, or spin
 * synchronously for a moment.
 */
import { Task } from "@effect-futures/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const echo = Task.make("echo", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.succeed(n)
})

/** Ends its worker (thread or child) abruptly. */
export const crash = Task.make("crash", {
  payload: Schema.Number,
  success: Schema.Number,
  run: () => Effect.sync(() => process.exit(7))
})

export const hang = Task.make("hang", {
  payload: Schema.Number,
  success: Schema.Number,
  run: () => Effect.never
})

/** Busy for `ms` milliseconds (no await): an interrupt cannot stop it before it ends. */
export const spin = Task.make("spin", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (ms) =>
    Effect.sync(() => {
      const end = performance.now() + ms
      while (performance.now() < end);
      return ms
    })
})
