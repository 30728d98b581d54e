/**
 * A `Task` is work that can cross a thread or process boundary: a named function from an input to an
 * Effect, defined at the top level of a task module. Its schemas type and carry the input, the success and
 * the typed failure across the boundary.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { pipeArguments, type Pipeable } from "effect/Pipeable"
import { TaskError } from "./FutureError.ts"
import { callPlainFunction } from "./internal/plainFunction.ts"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId = "~@effect-futures/core/Task" as const

/**
 * A schema that needs no services to encode or decode, as every schema crossing a boundary must.
 *
 * @since 0.1.0
 * @category models
 */
export interface BoundarySchema<T> extends Schema.Codec<T, unknown, never, never> {}

/**
 * A named unit of work with typed input `I`, success `A` and failure `E`.
 *
 * `codec` tells how values cross a boundary: `"schema"` (encoded and decoded with the task's schemas) or
 * `"structured-clone"` (`Task.fromFunction`: the platform copies the values as they are).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Task } from "@effect-futures/core"
 *
 * export const double: Task.Task<number, number> = Task.make("double", {
 *   payload: Schema.Number,
 *   success: Schema.Number,
 *   run: (n) => Effect.succeed(n * 2)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Task<in out I, out A, out E = never> extends Pipeable {
  readonly [TypeId]: TypeId
  readonly name: string
  readonly codec: "schema" | "structured-clone"
  readonly payload: BoundarySchema<I>
  readonly success: BoundarySchema<A>
  readonly failure: BoundarySchema<E>
  readonly run: (input: I) => Effect.Effect<A, E>
}

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Any task.
 *
 * @since 0.1.0
 * @category models
 */
export type Any = Task<any, any, any>

/**
 * The input type of a task.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Payload<T> = T extends Task<infer I, infer _A, infer _E> ? I : never

/**
 * The success type of a task.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Success<T> = T extends Task<infer _I, infer A, infer _E> ? A : never

/**
 * The failure type of a task.
 *
 * @since 0.1.0
 * @category type-level
 */
export type Failure<T> = T extends Task<infer _I, infer _A, infer E> ? E : never

const TaskProto = {
  [TypeId]: TypeId,
  pipe() {
    return pipeArguments(this, arguments)
  },
  toString(this: Task<unknown, unknown, unknown>) {
    return `Task(${this.name})`
  }
}

/**
 * Whether a value is a `Task`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Task } from "@effect-futures/core"
 *
 * Task.isTask(Effect.succeed(1)) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTask = (u: unknown): u is Any => typeof u === "object" && u !== null && TypeId in u

/**
 * Defines a task with schemas for its input, success and failure. `name` is how a worker finds the task
 * among its module's exports.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Task } from "@effect-futures/core"
 *
 * export class PrimeLimitError extends Schema.TaggedError<PrimeLimitError>()("PrimeLimitError", {
 *   limit: Schema.Number
 * }) {}
 *
 * export const countPrimes = Task.make("countPrimes", {
 *   payload: Schema.Number,
 *   success: Schema.Number,
 *   failure: PrimeLimitError,
 *   run: (limit) => (limit < 0 ? Effect.fail(new PrimeLimitError({ limit })) : Effect.succeed(limit))
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <Payload extends Schema.Top, Success extends Schema.Top, Failure extends Schema.Top = Schema.Never>(
  name: string,
  options: {
    readonly payload: Payload & BoundarySchema<Payload["Type"]>
    readonly success: Success & BoundarySchema<Success["Type"]>
    readonly failure?: (Failure & BoundarySchema<Failure["Type"]>) | undefined
    readonly run: (input: Payload["Type"]) => Effect.Effect<Success["Type"], Failure["Type"]>
  }
): Task<Payload["Type"], Success["Type"], Failure["Type"]> =>
  Object.assign(Object.create(TaskProto), {
    name,
    codec: "schema",
    payload: options.payload,
    success: options.success,
    failure: options.failure ?? Schema.Never,
    run: options.run
  })

/**
 * Defines a task from a plain function, synchronous or Promise-returning. Values cross boundaries by
 * structured clone (threads) or Node's `advanced` serialization (processes); a throw or rejection becomes
 * `TaskError` with the thrown error's name, message and stack.
 *
 * @example
 * ```ts
 * import { Task } from "@effect-futures/core"
 *
 * export const legacyBlockingCompute = Task.fromFunction("legacyBlockingCompute", (n: number) => n * n)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFunction = <I, A>(name: string, f: (input: I) => A): Task<I, Awaited<A>, TaskError> =>
  Object.assign(Object.create(TaskProto), {
    name,
    codec: "structured-clone",
    payload: Schema.Any,
    success: Schema.Any,
    failure: TaskError,
    run: (input: I) => callPlainFunction(() => f(input))
  })
