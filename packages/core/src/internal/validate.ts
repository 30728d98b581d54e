/**
 * Checks of executor Layers' options, shared by every executor Layer (core's and the Node pools').
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"

/**
 * Checks a `maxWorkers` option: a positive integer, else a defect naming the Layer and what was given.
 *
 * @internal
 */
export const validateMaxWorkers = (maxWorkers: number, layer: string): Effect.Effect<number> =>
  Number.isSafeInteger(maxWorkers) && maxWorkers > 0
    ? Effect.succeed(maxWorkers)
    : Effect.die(new Cause.IllegalArgumentError(`${layer}: maxWorkers must be a positive integer, got ${maxWorkers}`))
