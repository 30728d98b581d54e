/**
 * What the conformance tests share: the test's signature, submitting a behaviour, bounded waits, the
 * behaviours, reading an `Exit`.
 *
 * @internal
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { type Behaviour, behave } from "../../ConformanceTasks.ts"

export type Test = (title: string, body: (tools: Tools) => Effect.Effect<unknown, unknown, Executor.Executor>) => void

/** What the tests share: submitting a behaviour, waiting with a bound, waiting for a state. */
export interface Tools {
  readonly submit: (behaviour: Behaviour) => Effect.Effect<Future.Future<number, unknown>, unknown, Executor.Executor>
  /** Fails the test with `what` if `effect` takes longer than the step timeout: a hang is a failure. */
  readonly bounded: <A, E, R>(effect: Effect.Effect<A, E, R>, what: string) => Effect.Effect<A, E, R>
  /** Waits until the future runs (a worker took it); fails if it ends first or never starts. */
  readonly awaitRunning: (future: Future.Future<unknown, unknown>) => Effect.Effect<void>
  /** Submits one never-ending task per worker and waits until each runs: every worker is busy. */
  /**
   * Submits one never-ending task per worker (waiting until each runs: every worker is busy), then the given
   * behaviours, which wait in the queue.
   */
  readonly behindBusyWorkers: (behaviours: ReadonlyArray<Behaviour>) => Effect.Effect<
    {
      readonly hangs: ReadonlyArray<Future.Future<number, unknown>>
      readonly queued: ReadonlyArray<Future.Future<number, unknown>>
    },
    unknown,
    Executor.Executor
  >
}

export const tools = (stepTimeout: Duration.Input): Tools => {
  const bounded = <A, E, R>(effect: Effect.Effect<A, E, R>, what: string) =>
    Effect.timeoutOrElse(effect, {
      duration: stepTimeout,
      orElse: () => Effect.die(new Error(`${what} did not end within ${String(stepTimeout)}`))
    })
  const awaitRunning = (future: Future.Future<unknown, unknown>) =>
    bounded(
      Effect.gen(function* () {
        // No event says "a worker took it", so this samples the state; the bound turns a hang into a failure.
        for (;;) {
          const state = yield* Future.state(future)
          if (state === "running") return
          if (state !== "pending")
            return yield* Effect.die(new Error(`the task ended (${state}) before it was seen running`))
          yield* Effect.sleep("2 millis")
        }
      }),
      "waiting for a task to start"
    )
  const submit = (behaviour: Behaviour) => Executor.submit(behave, behaviour)
  const behindBusyWorkers = (behaviours: ReadonlyArray<Behaviour>) =>
    Effect.gen(function* () {
      const { maxWorkers } = yield* Executor.Executor
      const hangs: Array<Future.Future<number, unknown>> = []
      // One at a time: each goes to a free worker of its own, never into another's batch.
      for (let i = 0; i < maxWorkers; i++) {
        const hang = yield* submit({ _tag: "Hang" })
        yield* awaitRunning(hang)
        hangs.push(hang)
      }
      return { hangs, queued: yield* Effect.forEach(behaviours, submit) }
    })
  return { submit, bounded, awaitRunning, behindBusyWorkers }
}

export const succeed = (value: number, millis = 0): Behaviour => ({ _tag: "Succeed", value, millis })
export const fail = (code: number, millis = 0): Behaviour => ({ _tag: "Fail", code, millis })
export const die = (message: string): Behaviour => ({ _tag: "Die", message })
export const hang: Behaviour = { _tag: "Hang" }

export const errorOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

export const defectOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const defect = Cause.findDefect(exit.cause)
  return defect._tag === "Success" ? defect.success : undefined
}

export const isCancelled = (exit: Exit.Exit<unknown, unknown>): boolean =>
  errorOf(exit) instanceof FutureError.CancelledError

/** Interrupts every future (the never-ending ones a test left) and checks each ends cancelled. */
export const stopAll = (futures: ReadonlyArray<Future.Future<unknown, unknown>>, bounded: Tools["bounded"]) =>
  Effect.forEach(futures, (future) => bounded(Future.interrupt(future), "interrupting a running task"), {
    discard: true
  })
