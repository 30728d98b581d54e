/**
 * Programs of executor commands (submit, run, complete, crash, cancel, interrupt, add a callback, shut down) as
 * data, and fast-check arbitraries of them: the input of a model-based test, run against an executor and, step
 * by step, against {@link ExecutorModel}.
 *
 * @since 0.1.0
 */
import * as Exit from "effect/Exit"
import * as fc from "fast-check"

/**
 * How a task ends when the test ends it: the value it succeeds with, the typed error it fails with, or a
 * defect.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | { readonly _tag: "Succeed"; readonly value: number }
  | { readonly _tag: "Fail"; readonly error: string }
  | { readonly _tag: "Die"; readonly message: string }

/**
 * Which future a command acts on: the `n`th (modulo their number, so shrinking never makes it dangle) among
 * the futures that are pending, or running, or among all of them (also when none is pending or running).
 * Aiming at pending and running futures keeps the interesting transitions frequent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly among: "any" | "pending" | "running"
  readonly n: number
}

/**
 * One step of a program. `Submit` submits `count` tasks; `SubmitThenInterrupt` submits one and interrupts it
 * at once; `RunNext` and `RunAll` start queued tasks on an executor whose tasks start only when the test says
 * (`TestExecutor`); `Complete` ends the target's task with `outcome`; `Crash` kills the worker running the
 * target (its future fails with `BrokenExecutorError`); `Cancel`, `Interrupt` and `AddDoneCallback` act on
 * the target's future; `Shutdown` is `Executor.shutdown`.
 *
 * @since 0.1.0
 * @category models
 */
export type Command =
  | { readonly _tag: "Submit"; readonly count: number }
  | { readonly _tag: "SubmitThenInterrupt" }
  | { readonly _tag: "RunNext" }
  | { readonly _tag: "RunAll" }
  | { readonly _tag: "Complete"; readonly target: Target; readonly outcome: Outcome }
  | { readonly _tag: "Crash"; readonly target: Target }
  | { readonly _tag: "Cancel"; readonly target: Target }
  | { readonly _tag: "Interrupt"; readonly target: Target }
  | { readonly _tag: "AddDoneCallback"; readonly target: Target }
  | { readonly _tag: "Shutdown"; readonly wait: boolean; readonly cancelFutures: boolean }

/**
 * A move of a test on the tasks that the code under test submitted to a `TestExecutor`: the commands that
 * neither submit nor shut down. `TestExecutor.perform` plays one.
 *
 * @since 0.1.0
 * @category models
 */
export type Move = Extract<
  Command,
  { readonly _tag: "RunNext" | "RunAll" | "Complete" | "Crash" | "Cancel" | "Interrupt" }
>

/**
 * How a program ends: `drain` lets every task end and closes the executor's scope normally; `abort` closes
 * it with a failure (queued tasks are cancelled, running ones interrupted).
 *
 * @since 0.1.0
 * @category models
 */
export type Ending = "drain" | "abort"

/**
 * A program: the executor's workers, the commands, and how it ends.
 *
 * @since 0.1.0
 * @category models
 */
export interface Program {
  readonly maxWorkers: number
  readonly commands: ReadonlyArray<Command>
  readonly ending: Ending
}

/**
 * Which executor a program drives. `"auto"`: a real executor, which starts queued tasks as workers free up;
 * `Complete` releases the target's task (it ends when it runs). `"manual"`: an executor whose tasks start only
 * when the test says (`TestExecutor`); programs also hold `RunNext`, `RunAll` and `Crash`, and `Complete`
 * ends the target at once, running or not.
 *
 * @since 0.1.0
 * @category models
 */
export type Start = "auto" | "manual"

/**
 * Options of the arbitraries: which executor the programs drive, the range of `maxWorkers`, how many commands.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly start?: Start | undefined
  readonly minWorkers?: number | undefined
  readonly maxWorkers?: number | undefined
  readonly maxCommands?: number | undefined
}

/**
 * Arbitrary target: which future a command acts on.
 *
 * @example
 * ```ts
 * import * as fc from "fast-check"
 * import { ExecutorProgram } from "@effect-futures/testing"
 *
 * const [target] = fc.sample(ExecutorProgram.target, 1) // { among: "pending", n: 3 }, say
 * ```
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const target: fc.Arbitrary<Target> = fc.record({
  among: fc.constantFrom<Target["among"]>("any", "pending", "running"),
  n: fc.nat({ max: 7 })
})

/**
 * Arbitrary outcome of a task: twice as many successes as typed failures or defects.
 *
 * @example
 * ```ts
 * import * as fc from "fast-check"
 * import { ExecutorProgram } from "@effect-futures/testing"
 *
 * const outcomes = fc.sample(ExecutorProgram.outcome, 3).map(ExecutorProgram.exitOf)
 * ```
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const outcome: fc.Arbitrary<Outcome> = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 99 }).map((value) => ({ _tag: "Succeed" as const, value })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 99 }).map((n) => ({ _tag: "Fail" as const, error: `error-${n}` }))
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 99 }).map((n) => ({ _tag: "Die" as const, message: `defect-${n}` }))
  }
)

/**
 * Arbitrary command. Manual programs (the default) also hold `RunNext`, `RunAll` and `Crash`.
 *
 * @example
 * ```ts
 * import * as fc from "fast-check"
 * import { ExecutorProgram } from "@effect-futures/testing"
 *
 * const commands = fc.sample(ExecutorProgram.command({ start: "auto" }), 5)
 * ```
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const command = (options?: Pick<Options, "start">): fc.Arbitrary<Command> => {
  const common: Array<fc.WeightedArbitrary<Command>> = [
    {
      weight: 6,
      arbitrary: fc.record({ _tag: fc.constant("Submit" as const), count: fc.integer({ min: 1, max: 4 }) })
    },
    { weight: 1, arbitrary: fc.constant({ _tag: "SubmitThenInterrupt" as const }) },
    { weight: 4, arbitrary: fc.record({ _tag: fc.constant("Complete" as const), target, outcome }) },
    { weight: 3, arbitrary: fc.record({ _tag: fc.constant("Cancel" as const), target }) },
    { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Interrupt" as const), target }) },
    { weight: 2, arbitrary: fc.record({ _tag: fc.constant("AddDoneCallback" as const), target }) },
    {
      weight: 1,
      arbitrary: fc.record({ _tag: fc.constant("Shutdown" as const), wait: fc.boolean(), cancelFutures: fc.boolean() })
    }
  ]
  if ((options?.start ?? "manual") === "auto") return fc.oneof(...common)
  return fc.oneof(
    ...common,
    { weight: 5, arbitrary: fc.constant({ _tag: "RunNext" as const }) },
    { weight: 1, arbitrary: fc.constant({ _tag: "RunAll" as const }) },
    { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Crash" as const), target }) }
  )
}

/**
 * Arbitrary move of a test on the tasks of the code under test (see {@link Move}): mostly starting tasks and
 * ending them, some crashes, cancels and interrupts.
 *
 * @example
 * ```ts
 * import * as fc from "fast-check"
 * import { ExecutorProgram } from "@effect-futures/testing"
 *
 * const schedule = fc.array(ExecutorProgram.move, { maxLength: 20 })
 * ```
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ _tag: "RunNext" as const }) },
  { weight: 2, arbitrary: fc.constant({ _tag: "RunAll" as const }) },
  { weight: 5, arbitrary: fc.record({ _tag: fc.constant("Complete" as const), target, outcome }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Crash" as const), target }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Cancel" as const), target }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Interrupt" as const), target }) }
)

/**
 * Which future a target names among futures in these states (in submission order): its index, or `undefined`
 * when there is none. The one rule both {@link ExecutorModel} and `TestExecutor.perform` follow.
 *
 * @example
 * ```ts
 * import { ExecutorProgram } from "@effect-futures/testing"
 *
 * ExecutorProgram.pick(["succeeded", "running", "pending"], { among: "pending", n: 4 }) // 2
 * ExecutorProgram.pick(["succeeded"], { among: "running", n: 4 }) // 0: none runs, so among all
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const pick = (states: ReadonlyArray<string>, target: Target): number | undefined => {
  const all = states.map((_, index) => index)
  const among = target.among === "any" ? [] : all.filter((index) => states[index] === target.among)
  const candidates = among.length > 0 ? among : all
  return candidates.length === 0 ? undefined : candidates[target.n % candidates.length]
}

/**
 * Arbitrary program: 1–4 workers (by default), 1–30 commands, either ending.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as fc from "fast-check"
 * import { ExecutorModel, ExecutorProgram } from "@effect-futures/testing"
 *
 * // Every program leaves every future of the model done once its scope closes.
 * fc.assert(
 *   fc.property(ExecutorProgram.program(), (program) => {
 *     const model = ExecutorModel.make({ maxWorkers: program.maxWorkers, start: "manual" })
 *     for (const command of program.commands) ExecutorModel.step(model, command)
 *     ExecutorModel.abort(model)
 *     return model.futures.every((future) => ExecutorModel.isDone(future.state))
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const program = (options?: Options): fc.Arbitrary<Program> =>
  fc.record({
    maxWorkers: fc.integer({ min: options?.minWorkers ?? 1, max: options?.maxWorkers ?? 4 }),
    commands: fc.array(command(options), { minLength: 1, maxLength: options?.maxCommands ?? 30, size: "max" }),
    ending: fc.constantFrom<Ending>("drain", "abort")
  })

/**
 * The `Exit` a task ends with for an outcome: a success, a typed failure (the string), or a defect (an `Error`
 * with the message).
 *
 * @example
 * ```ts
 * import { ExecutorProgram } from "@effect-futures/testing"
 *
 * const exit = ExecutorProgram.exitOf({ _tag: "Fail", error: "out of stock" }) // Exit.fail("out of stock")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const exitOf = (outcome: Outcome): Exit.Exit<number, string> =>
  outcome._tag === "Succeed"
    ? Exit.succeed(outcome.value)
    : outcome._tag === "Fail"
      ? Exit.fail(outcome.error)
      : Exit.die(new Error(outcome.message))
