/**
 * The task module of `ExecutorConformance`: the tasks its tests submit. An executor that runs tasks in
 * workers loads this module (`ExecutorConformance.tasksModule`, or `@effect-futures/testing/ConformanceTasks`);
 * an in-process executor needs nothing.
 *
 * @since 0.1.0
 */
import { Task } from "@effect-futures/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * The typed error of the conformance tasks: it must arrive in the caller as an instance of this class.
 *
 * @example
 * ```ts
 * import { ConformanceTasks } from "@effect-futures/testing"
 *
 * const error = new ConformanceTasks.ConformanceError({ code: 7 })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ConformanceError extends Schema.TaggedError<ConformanceError>()("ConformanceError", {
  code: Schema.Number
}) {}

/**
 * What a conformance task does: succeed with `value` after `millis`, fail with `ConformanceError(code)` after
 * `millis`, die with an `Error(message)`, or never end (until interrupted).
 *
 * @example
 * ```ts
 * import type { ConformanceTasks } from "@effect-futures/testing"
 *
 * const slow: ConformanceTasks.Behaviour = { _tag: "Succeed", value: 1, millis: 50 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Behaviour = typeof Behaviour.Type

/**
 * The schema of {@link Behaviour}, the conformance task's payload.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ConformanceTasks } from "@effect-futures/testing"
 *
 * const hang = Schema.decodeUnknownSync(ConformanceTasks.Behaviour)({ _tag: "Hang" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Behaviour = Schema.Union([
  Schema.TaggedStruct("Succeed", { value: Schema.Number, millis: Schema.Number }),
  Schema.TaggedStruct("Fail", { code: Schema.Number, millis: Schema.Number }),
  Schema.TaggedStruct("Die", { message: Schema.String }),
  Schema.TaggedStruct("Hang", {})
])

/**
 * The conformance task: does what its input says.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 * import { ConformanceTasks } from "@effect-futures/testing"
 *
 * const program = Effect.gen(function*() {
 *   const future = yield* Executor.submit(ConformanceTasks.behave, { _tag: "Succeed", value: 1, millis: 0 })
 *   return yield* Future.result(future) // 1
 * }).pipe(Effect.provide(Executor.layerFiber()))
 * ```
 *
 * @since 0.1.0
 * @category tasks
 */
export const behave = Task.make("effect-futures/conformance/behave", {
  payload: Behaviour,
  success: Schema.Number,
  failure: ConformanceError,
  run: (behaviour): Effect.Effect<number, ConformanceError> => {
    switch (behaviour._tag) {
      case "Succeed":
        return behaviour.millis > 0
          ? Effect.as(Effect.sleep(behaviour.millis), behaviour.value)
          : Effect.succeed(behaviour.value)
      case "Fail": {
        const fail = Effect.fail(new ConformanceError({ code: behaviour.code }))
        return behaviour.millis > 0 ? Effect.andThen(Effect.sleep(behaviour.millis), fail) : fail
      }
      case "Die":
        return Effect.die(new Error(behaviour.message))
      case "Hang":
        return Effect.never
    }
  }
})
