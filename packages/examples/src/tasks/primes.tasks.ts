/**
 * The task module of Example 23.1: every worker imports it and serves its tasks. Top-level, named tasks
 * are this library's answer to "functions must be picklable (defined at module level)" — and there is no
 * `if __name__ == "__main__"` guard to forget: workers import this module, never the program.
 */
import { Task } from "@effect-futures/core"
import { Effect, Schema } from "effect"

export class PrimeLimitError extends Schema.TaggedError<PrimeLimitError>()("PrimeLimitError", {
  limit: Schema.Number
}) {}

/** Counts the primes below `limit` by trial division: deliberately CPU-heavy. */
export const countPrimesBelow = (limit: number): number => {
  let count = 0
  for (let n = 2; n < limit; n++) {
    let isPrime = true
    for (let divisor = 2; divisor * divisor <= n; divisor++) {
      if (n % divisor === 0) {
        isPrime = false
        break
      }
    }
    if (isPrime) count++
  }
  return count
}

export const countPrimes = Task.make("countPrimes", {
  payload: Schema.Number,
  success: Schema.Number,
  failure: PrimeLimitError,
  run: (limit) => (limit < 0 ? Effect.fail(new PrimeLimitError({ limit })) : Effect.sync(() => countPrimesBelow(limit)))
})
