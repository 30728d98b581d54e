/**
 * The chunk rule, once for every executor (Python's `_process_chunk`): a chunk runs one task over its inputs
 * in order, one after another; an input that succeeds is kept and the next one runs; the first that fails or
 * dies is kept and ends the chunk; an interruption ends the whole chunk interrupted (its future ends
 * cancelled), keeping nothing.
 *
 * {@link runChunk} is the rule as an Effect (the fiber pool runs a chunk in one fiber); {@link runChunkUnsafe}
 * is the same rule as a synchronous driver over any outcome type, for a worker that runs each input's fiber
 * itself and replies with encoded outcomes.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * What an input's outcome does to its chunk: `"next"` (it succeeded: run the next input), `"stop"` (it
 * failed or died: keep it and end the chunk), `"interrupt"` (end the chunk interrupted).
 *
 * @internal
 */
export type ChunkStep = "next" | "stop" | "interrupt"

/**
 * The rule for one input's `Exit`.
 *
 * @internal
 */
export const chunkStep = (exit: Exit.Exit<unknown, unknown>): ChunkStep =>
  Exit.isSuccess(exit) ? "next" : Cause.hasInterruptsOnly(exit.cause) ? "interrupt" : "stop"

/**
 * Runs `run` over each input in order in the current fiber, and ends with every input's `Exit` up to and
 * including the first failure; an interruption of an input interrupts the chunk.
 *
 * @internal
 */
export const runChunk = <I, A, E>(
  run: (input: I) => Effect.Effect<A, E>,
  inputs: ReadonlyArray<I>
): Effect.Effect<Array<Exit.Exit<A, E>>> =>
  Effect.suspend(() => {
    const exits: Array<Exit.Exit<A, E>> = []
    let index = 0
    const step: Effect.Effect<Array<Exit.Exit<A, E>>> = Effect.suspend(() => {
      if (index === inputs.length) return Effect.succeed(exits)
      return Effect.flatMap(Effect.exit(Effect.suspend(() => run(inputs[index++]!))), (exit) => {
        const next = chunkStep(exit)
        if (next === "interrupt") return Effect.interrupt
        exits.push(exit)
        return next === "next" ? step : Effect.succeed(exits)
      })
    })
    return step
  })

/**
 * The chunk rule as a synchronous driver, for code that runs each input itself. `runOne(input, resume)`
 * returns the input's outcome when it ended at once, or `undefined` and later calls `resume` with it.
 * `classify` applies the rule to an outcome. `finish(outcomes, interrupted)` is called once, with the kept
 * outcomes (none when interrupted). Returns whether the chunk went asynchronous.
 *
 * @internal
 */
export const runChunkUnsafe = <I, O>(
  inputs: ReadonlyArray<I>,
  runOne: (input: I, resume: (outcome: O) => void) => O | undefined,
  classify: (outcome: O) => ChunkStep,
  finish: (outcomes: Array<O>, interrupted: boolean) => void
): boolean => {
  const outcomes: Array<O> = []
  let index = 0
  /** Applies the rule to one outcome; `true` when the chunk goes on. */
  const keep = (outcome: O): boolean => {
    const next = classify(outcome)
    if (next === "interrupt") {
      finish([], true)
      return false
    }
    outcomes.push(outcome)
    if (next === "stop") finish(outcomes, false)
    return next === "next"
  }
  /** Runs inputs until one goes asynchronous (`true`) or the chunk has finished (`false`). */
  const go = (): boolean => {
    while (index < inputs.length) {
      const outcome = runOne(inputs[index++]!, resume)
      if (outcome === undefined) return true
      if (!keep(outcome)) return false
    }
    finish(outcomes, false)
    return false
  }
  const resume = (outcome: O): void => {
    if (keep(outcome)) go()
  }
  return go()
}
