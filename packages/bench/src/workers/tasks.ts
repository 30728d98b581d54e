/**
 * The task module our pools import (`layerWorkerThreads` / `layerChildProcesses` with this file's URL). Each
 * task does as little as its peer's worker function does, so the figures measure the pool, not the work.
 */
import { Task } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { Effect, Schema } from "effect"
import { countPrimesBelow } from "./primes.ts"

/** The empty task of the round-trip comparisons, with schemas (the identity on numbers). */
export const noop = Task.make("noop", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.succeed(n)
})

/** The same empty task as a plain function: values cross by structured clone, no schema work. */
export const noopFunction = Task.fromFunction("noopFunction", (n: number) => n)

export const countPrimes = Task.make("countPrimes", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (limit) => Effect.sync(() => countPrimesBelow(limit))
})

/** Sends the buffer back, copied. */
export const echo = Task.fromFunction("echo", (input: { readonly buffer: ArrayBuffer }) => input)

/** Sends the buffer back, transferred. */
export const echoTransfer = Task.fromFunction("echoTransfer", (input: { readonly buffer: ArrayBuffer }) =>
  NodeExecutor.transfer({ buffer: input.buffer }, [input.buffer])
)
