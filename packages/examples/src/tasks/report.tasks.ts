/**
 * The task module of the tracing example: a report built in a worker, in two traced steps. Its spans are made in
 * the worker and arrive in the caller's tracer, under the task's span.
 */
import { Task } from "@effect-futures/core"
import { Effect, Schema } from "effect"
import { countPrimesBelow } from "./primes.tasks.ts"

export const buildReport = Task.make("buildReport", {
  payload: Schema.String,
  success: Schema.String,
  run: (region) =>
    Effect.gen(function* () {
      yield* Effect.sleep("30 millis").pipe(Effect.withSpan("load rows", { attributes: { region } }))
      const primes = yield* Effect.sync(() => countPrimesBelow(200_000)).pipe(Effect.withSpan("render"))
      return `${region}: ${primes} rows`
    })
})
