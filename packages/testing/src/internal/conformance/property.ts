/**
 * The conformance suite's property: random programs of submit (tasks that succeed, fail, die, sleep or never
 * end), cancel, interrupt, addDoneCallback and shutdown, ended by a normal or a failed close of the executor's
 * scope, keep the contract's invariants on the executor under test. Its timing is its own, so unlike
 * `ExecutorModel` the checks are the invariants, not exact states: `cancel` true iff the future was pending or
 * cancelled, `interrupt` true iff it ends cancelled, states only move forward, each future ends once and as
 * its task allows, every callback runs exactly once, nothing pending after `cancelFutures`, every future done
 * once the scope has closed with no worker left, submits refused after shutdown.
 *
 * @internal
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as fc from "fast-check"
import { expect, it } from "vitest"
import { ConformanceError } from "../../ConformanceTasks.ts"
import * as ExecutorProgram from "../../ExecutorProgram.ts"
import { defectOf, die, errorOf, fail, hang, isCancelled, succeed, tools } from "./tools.ts"

type Kind = "succeed" | "slow" | "fail" | "die" | "hang"

type Step =
  | { readonly _tag: "Submit"; readonly kind: Kind }
  | { readonly _tag: "Cancel"; readonly target: ExecutorProgram.Target }
  | { readonly _tag: "Interrupt"; readonly target: ExecutorProgram.Target }
  | { readonly _tag: "AddDoneCallback"; readonly target: ExecutorProgram.Target }
  | { readonly _tag: "Shutdown"; readonly cancelFutures: boolean }

interface Plan {
  readonly steps: ReadonlyArray<Step>
  readonly ending: "drain" | "abort"
}

const { target } = ExecutorProgram

const plan: fc.Arbitrary<Plan> = fc.record({
  steps: fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          _tag: fc.constant("Submit" as const),
          kind: fc.constantFrom<Kind>("succeed", "succeed", "slow", "fail", "die", "hang")
        })
      },
      { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Cancel" as const), target }) },
      { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Interrupt" as const), target }) },
      { weight: 1, arbitrary: fc.record({ _tag: fc.constant("AddDoneCallback" as const), target }) },
      { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Shutdown" as const), cancelFutures: fc.boolean() }) }
    ),
    { minLength: 1, maxLength: 16 }
  ),
  ending: fc.constantFrom("drain" as const, "abort" as const)
})

const behaviourOf = (kind: Kind, index: number) => {
  switch (kind) {
    case "succeed":
      return succeed(index)
    case "slow":
      return succeed(index, 15)
    case "fail":
      return fail(index)
    case "die":
      return die(`defect ${index}`)
    case "hang":
      return hang
  }
}

/** Whether a future of this kind may end with this exit: as its task says, or cancelled. */
const allowed = (kind: Kind, index: number, exit: Exit.Exit<unknown, unknown>): boolean => {
  if (isCancelled(exit)) return true
  switch (kind) {
    case "succeed":
    case "slow":
      return Exit.isSuccess(exit) && exit.value === index
    case "fail": {
      const error = errorOf(exit)
      return error instanceof ConformanceError && error.code === index
    }
    case "die": {
      const defect = defectOf(exit)
      return defect instanceof Error && defect.message === `defect ${index}`
    }
    case "hang":
      return false
  }
}

const rank = (state: Future.State): number => (state === "pending" ? 0 : state === "running" ? 1 : 2)
const isDone = (state: Future.State): boolean => rank(state) === 2

interface Entry {
  readonly future: Future.Future<number, unknown>
  readonly kind: Kind
  readonly seen: Array<Future.State>
  /** Calls of each of its callbacks. */
  readonly calls: Array<number>
}

const runPlan = <E>(layer: Layer.Layer<Executor.Executor, E>, stepTimeout: Duration.Input, { steps, ending }: Plan) =>
  Effect.gen(function* () {
    const { bounded, submit } = tools(stepTimeout)
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(layer, scope)
    const inExecutor = <A, E2>(effect: Effect.Effect<A, E2, Executor.Executor>) =>
      Effect.provideContext(effect, context)
    const entries: Array<Entry> = []
    let callbacks = 0
    let calls = 0
    /** Made at the end if callbacks are still to run; done when the last one has. */
    let allCalled: Deferred.Deferred<void> | undefined = undefined
    let shutDown = false

    /** Registers a callback; counts its calls. Plain functions, so it may run inside `Effect.runSync`. */
    const addCallback = (entry: Entry) => {
      const slot = entry.calls.push(0) - 1
      callbacks++
      return Future.addDoneCallback(entry.future, () => {
        entry.calls[slot]!++
        if (++calls >= callbacks && allCalled !== undefined) Deferred.doneUnsafe(allCalled, Exit.void)
      })
    }
    const pick = (step: { readonly target: ExecutorProgram.Target }) =>
      Effect.map(
        Effect.forEach(entries, (entry) => Future.state(entry.future)),
        (states) => ExecutorProgram.pick(states, step.target)
      )
    const observe = Effect.forEach(
      entries,
      (entry) =>
        Effect.map(Future.state(entry.future), (state) => {
          if (entry.seen[entry.seen.length - 1] !== state) entry.seen.push(state)
          expect(
            entry.seen.every((seen, i) => i === 0 || rank(seen) > rank(entry.seen[i - 1]!)),
            `a future went ${entry.seen.join(" → ")}`
          ).toBe(true)
          return state
        }),
      { discard: false }
    )

    const run = (step: Step) =>
      Effect.gen(function* () {
        switch (step._tag) {
          case "Submit": {
            const exit = yield* Effect.exit(inExecutor(submit(behaviourOf(step.kind, entries.length))))
            if (shutDown) {
              expect(errorOf(exit), "a submit after shutdown").toBeInstanceOf(FutureError.ExecutorShutdownError)
              return
            }
            if (Exit.isFailure(exit)) return expect.fail(`submit failed: ${String(exit.cause)}`)
            const entry: Entry = { future: exit.value, kind: step.kind, seen: [], calls: [] }
            entries.push(entry)
            yield* addCallback(entry)
            return
          }
          case "Shutdown": {
            shutDown = true
            yield* bounded(
              inExecutor(Executor.shutdown({ wait: false, cancelFutures: step.cancelFutures })),
              "shutdown"
            )
            if (step.cancelFutures) expect(yield* observe, "pending after cancelFutures").not.toContain("pending")
            return
          }
        }
        const index = yield* pick(step)
        if (index === undefined) return
        const entry = entries[index]!
        switch (step._tag) {
          case "Cancel": {
            // The state and the cancel in one synchronous step: no executor event comes between them.
            const [before, cancelled] = Effect.runSync(
              Effect.zip(Future.state(entry.future), Future.cancel(entry.future))
            )
            expect(cancelled, `cancel of a ${before} future`).toBe(before === "pending" || before === "cancelled")
            if (before === "pending") {
              expect(yield* Future.state(entry.future)).toBe("cancelled")
              expect(
                entry.calls.every((n) => n === 1),
                "callbacks ran before cancel returned"
              ).toBe(true)
            }
            return
          }
          case "Interrupt": {
            const before = yield* Future.state(entry.future)
            const interrupted = yield* bounded(Future.interrupt(entry.future), "interrupt")
            const after = yield* Future.state(entry.future)
            expect(isDone(after), `interrupt of a ${before} future returned before its end`).toBe(true)
            expect(interrupted, `interrupt of a ${before} future that ended ${after}`).toBe(after === "cancelled")
            return
          }
          case "AddDoneCallback": {
            const [before] = Effect.runSync(Effect.zip(Future.state(entry.future), addCallback(entry)))
            expect(entry.calls[entry.calls.length - 1], `a callback added to a ${before} future`).toBe(
              isDone(before) ? 1 : 0
            )
            return
          }
        }
      })

    const body = Effect.gen(function* () {
      for (const step of steps) {
        yield* run(step)
        yield* observe
      }
      if (ending === "drain") {
        for (const entry of entries)
          if (entry.kind === "hang") yield* bounded(Future.interrupt(entry.future), "interrupt")
        yield* bounded(Scope.close(scope, Exit.void), "the scope's close")
      } else {
        yield* bounded(Scope.close(scope, Exit.fail("abort")), "the scope's close on failure")
      }
      const states = yield* observe
      expect(
        states.filter((state) => !isDone(state)),
        "futures not done after the scope closed"
      ).toEqual([])
      for (const [index, entry] of entries.entries()) {
        expect(
          allowed(entry.kind, index, yield* Future.await(entry.future)),
          `how the ${entry.kind} task ${index} ended`
        ).toBe(true)
      }
      if (calls < callbacks) {
        allCalled = Deferred.makeUnsafe<void>()
        yield* bounded(Deferred.await(allCalled), "the done callbacks")
      }
      for (const entry of entries)
        expect(entry.calls, "each callback runs exactly once").toEqual(entry.calls.map(() => 1))
      // No worker outlives the scope.
      const { workers, busy } = yield* inExecutor(Executor.stats)
      expect({ workers, busy }, "workers after the scope closed").toEqual({ workers: 0, busy: 0 })
      const late = yield* Effect.exit(inExecutor(submit(succeed(0))))
      expect(errorOf(late), "a submit after the scope closed").toBeInstanceOf(FutureError.ExecutorShutdownError)
    })
    yield* body.pipe(
      Effect.onError(() => Effect.ignore(Effect.timeoutOption(Scope.close(scope, Exit.void), "5 seconds")))
    )
  })

/** @internal */
export const registerProperty = <E>(
  layer: Layer.Layer<Executor.Executor, E>,
  stepTimeout: Duration.Input,
  testTimeout: number,
  numRuns: number
) =>
  it(
    "random programs of submit, cancel, interrupt, addDoneCallback and shutdown keep the invariants",
    { timeout: testTimeout + 5_000 },
    () =>
      fc.assert(
        fc.asyncProperty(plan, (plan) => Effect.runPromise(Effect.asVoid(runPlan(layer, stepTimeout, plan)))),
        { numRuns }
      )
  )
