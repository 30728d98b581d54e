/**
 * Model-based property test of cancellation on `Executor.layerFiber`: random programs of submit, cancel,
 * interrupt, completing a task, addDoneCallback and shutdown run against a real pool of 1–4 workers and,
 * step by step, against a small pure model of Python's `concurrent.futures` state machine.
 *
 * Reproduce a failure with `FC_SEED=<seed> FC_PATH=<path>` (fast-check prints both); `FC_NUM_RUNS` sets
 * how many programs run (default 200).
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, type Context, Deferred, Effect, Exit, Fiber, Layer, Option, Scope } from "effect"
import * as fc from "fast-check"
import { isDeepStrictEqual } from "node:util"
import { Executor, Future, FutureError } from "@effect-futures/core"

// ---------------------------------------------------------------------------------------------------------
// Programs

type State = Future.State

/** How the test ends a task: the value it succeeds with, the typed error it fails with, or a defect. */
type Outcome =
  | { readonly _tag: "Succeed"; readonly value: number }
  | { readonly _tag: "Fail"; readonly error: string }
  | { readonly _tag: "Die"; readonly message: string }

/**
 * Which future a command acts on: the `n`th (modulo their number, so shrinking never makes it dangle) among
 * the futures the model says are pending, or running, or among all of them (also when none is pending or
 * running). Aiming at pending and running futures keeps the interesting transitions frequent.
 */
interface Target {
  readonly among: "any" | "pending" | "running"
  readonly n: number
}

type Command =
  | { readonly _tag: "Submit"; readonly count: number }
  | { readonly _tag: "SubmitThenInterrupt" }
  | { readonly _tag: "Complete"; readonly target: Target; readonly outcome: Outcome }
  | { readonly _tag: "Cancel"; readonly target: Target }
  | { readonly _tag: "Interrupt"; readonly target: Target }
  | { readonly _tag: "AddDoneCallback"; readonly target: Target }
  | { readonly _tag: "Shutdown"; readonly wait: boolean; readonly cancelFutures: boolean }

/** `drain` completes every task and closes the Layer's scope normally; `abort` closes it with a failure. */
type Ending = "drain" | "abort"

interface Program {
  readonly maxWorkers: number
  readonly commands: ReadonlyArray<Command>
  readonly ending: Ending
}

const targetArb: fc.Arbitrary<Target> = fc.record({
  among: fc.constantFrom<Target["among"]>("any", "pending", "running"),
  n: fc.nat({ max: 7 })
})

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
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

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ _tag: fc.constant("Submit" as const), count: fc.integer({ min: 1, max: 4 }) })
  },
  { weight: 1, arbitrary: fc.constant({ _tag: "SubmitThenInterrupt" as const }) },
  {
    weight: 4,
    arbitrary: fc.record({ _tag: fc.constant("Complete" as const), target: targetArb, outcome: outcomeArb })
  },
  { weight: 3, arbitrary: fc.record({ _tag: fc.constant("Cancel" as const), target: targetArb }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Interrupt" as const), target: targetArb }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("AddDoneCallback" as const), target: targetArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ _tag: fc.constant("Shutdown" as const), wait: fc.boolean(), cancelFutures: fc.boolean() })
  }
)

const programArb: fc.Arbitrary<Program> = fc.record({
  maxWorkers: fc.integer({ min: 1, max: 4 }),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 30, size: "max" }),
  ending: fc.constantFrom<Ending>("drain", "abort")
})

// ---------------------------------------------------------------------------------------------------------
// The model: Python's Future state machine plus a FIFO pool of `maxWorkers` slots. Pure data, no Effect.

interface ModelFuture {
  state: State
  /** How the test has ended the task, if it has; a task runs until then. */
  gate: Outcome | undefined
  /** Whether the pool ever made it running (so its task may have started). */
  ran: boolean
}

interface Model {
  readonly maxWorkers: number
  readonly futures: Array<ModelFuture>
  /** Futures waiting for a slot, oldest first. */
  queue: Array<number>
  shutdown: boolean
  cancelledOnShutdown: boolean
}

const isTerminal = (state: State): boolean => state !== "pending" && state !== "running"

const terminalStateOf = (outcome: Outcome): State => (outcome._tag === "Succeed" ? "succeeded" : "failed")

/** pending < running < done: the only direction a future moves. */
const stateRank = (state: State): number => (state === "pending" ? 0 : state === "running" ? 1 : 2)

const countIn = (model: Model, state: State): number => model.futures.filter((future) => future.state === state).length

/** The pool after everything that can happen without the test happens: gated tasks end, queued ones start. */
const settle = (model: Model): void => {
  for (;;) {
    let changed = false
    for (const future of model.futures) {
      if (future.state === "running" && future.gate !== undefined) {
        future.state = terminalStateOf(future.gate)
        changed = true
      }
    }
    while (countIn(model, "running") < model.maxWorkers && model.queue.length > 0) {
      const next = model.futures[model.queue.shift()!]!
      if (next.state === "pending") {
        next.state = "running"
        next.ran = true
        changed = true
      }
    }
    if (!changed) return
  }
}

/** The index of the new future, or `"rejected"` after shutdown. */
const modelSubmit = (model: Model): number | "rejected" => {
  if (model.shutdown) return "rejected"
  const index = model.futures.length
  if (countIn(model, "running") < model.maxWorkers) {
    model.futures.push({ state: "running", gate: undefined, ran: true })
  } else {
    model.futures.push({ state: "pending", gate: undefined, ran: false })
    model.queue.push(index)
  }
  return index
}

/** Python's rule: true iff pending (now cancelled) or already cancelled. */
const modelCancel = (model: Model, index: number): boolean => {
  const future = model.futures[index]!
  if (future.state === "pending") {
    future.state = "cancelled"
    model.queue = model.queue.filter((queued) => queued !== index)
    return true
  }
  return future.state === "cancelled"
}

/** Cancels a pending future, stops a running one; true iff the future ends cancelled. */
const modelInterrupt = (model: Model, index: number): boolean => {
  const future = model.futures[index]!
  if (future.state === "pending") return modelCancel(model, index)
  if (future.state === "running") {
    future.state = "cancelled"
    settle(model)
    return true
  }
  return future.state === "cancelled"
}

/** Whether the task's gate was still open (a Deferred completes once). */
const modelComplete = (model: Model, index: number, outcome: Outcome): boolean => {
  const future = model.futures[index]!
  if (future.gate !== undefined) return false
  future.gate = outcome
  settle(model)
  return true
}

const modelShutdown = (model: Model, cancelFutures: boolean): void => {
  model.shutdown = true
  if (cancelFutures) {
    model.cancelledOnShutdown = true
    for (const index of model.queue) model.futures[index]!.state = "cancelled"
    model.queue = []
  }
}

/** Closing the scope because of a failure: queued futures are cancelled, running tasks interrupted. */
const modelAbort = (model: Model): void => {
  modelShutdown(model, true)
  for (const future of model.futures) if (!isTerminal(future.state)) future.state = "cancelled"
}

// ---------------------------------------------------------------------------------------------------------
// The real system, and what we observe of it

interface Handle {
  readonly index: number
  readonly future: Future.Future<number, string>
  readonly gate: Deferred.Deferred<number, string>
  readonly task: TaskProbe
  /** Distinct states seen, in order: a legal path has at most one terminal state, at its end. */
  readonly seen: Array<State>
}

interface TaskProbe {
  started: boolean
  ended: boolean
}

interface CallbackRecord {
  readonly id: number
  readonly index: number
  calls: number
  readonly statesAtCall: Array<State>
  receivedItsFuture: boolean
}

/** Tasks running their body right now, and the most ever at once. */
interface Gauge {
  live: number
  max: number
}

type ObservedOutcome = Outcome | { readonly _tag: "Cancelled" } | { readonly _tag: "NotDone" }

/** What the checks compare after each step; the model predicts every field. */
interface Snapshot {
  readonly states: ReadonlyArray<State>
  /** `[running, done, cancelled]` of each future, from the non-blocking queries. */
  readonly queries: ReadonlyArray<readonly [boolean, boolean, boolean]>
  readonly outcomes: ReadonlyArray<ObservedOutcome>
  /** Whether each task's body began; `null` where either is allowed (interrupted right after it started). */
  readonly started: ReadonlyArray<boolean | null>
  readonly callbackCalls: ReadonlyArray<number>
  readonly liveTasks: number
  readonly busy: number
  readonly queued: number
  readonly shutdownWaitersDone: ReadonlyArray<boolean>
}

const expectedOutcome = (future: ModelFuture): ObservedOutcome => {
  if (!isTerminal(future.state)) return { _tag: "NotDone" }
  if (future.state === "cancelled") return { _tag: "Cancelled" }
  return future.gate!
}

const expectedSnapshot = (model: Model, callbacks: ReadonlyArray<CallbackRecord>, waiters: number): Snapshot => {
  const running = countIn(model, "running")
  const allDone = model.futures.every((future) => isTerminal(future.state))
  return {
    states: model.futures.map((future) => future.state),
    queries: model.futures.map(
      (future) => [future.state === "running", isTerminal(future.state), future.state === "cancelled"] as const
    ),
    outcomes: model.futures.map(expectedOutcome),
    started: model.futures.map((future) => (!future.ran ? false : future.state === "cancelled" ? null : true)),
    callbackCalls: callbacks.map((callback) => (isTerminal(model.futures[callback.index]!.state) ? 1 : 0)),
    liveTasks: running,
    busy: running,
    queued: countIn(model, "pending"),
    shutdownWaitersDone: Array.from({ length: waiters }, () => allDone)
  }
}

const observeOutcome = (future: Future.Future<number, string>): Effect.Effect<ObservedOutcome> =>
  Effect.gen(function* () {
    if (!(yield* Future.done(future))) return { _tag: "NotDone" } as const
    const exit = yield* Future.await(future)
    if (Exit.isSuccess(exit)) return { _tag: "Succeed", value: exit.value } as const
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isSome(error)) {
      return error.value instanceof FutureError.CancelledError
        ? ({ _tag: "Cancelled" } as const)
        : ({ _tag: "Fail", error: error.value } as const)
    }
    const defect = Cause.findDefect(exit.cause)
    return defect._tag === "Success" && defect.success instanceof Error
      ? ({ _tag: "Die", message: defect.success.message } as const)
      : ({ _tag: "Die", message: `unexpected cause: ${Cause.pretty(exit.cause)}` } as const)
  })

// ---------------------------------------------------------------------------------------------------------
// Running one program

/**
 * How many times a check lets the pool's fibers run before it compares: a cascade of queued tasks starting
 * one after another takes about one yield per future, so the budget grows with them (no clock involved).
 */
const yieldBudget = (futures: number): number => 100 + 10 * futures

/** Fails the run (with `what` in the message) if `effect` has not ended within 2 s: a hang is a bug. */
const bounded = <A, E>(effect: Effect.Effect<A, E>, what: string): Effect.Effect<A, E> =>
  Effect.timeoutOrElse(effect, {
    duration: "2 seconds",
    orElse: () => Effect.die(new Error(`${what} did not end within 2 s`))
  })

const showCommand = (command: Command): string => JSON.stringify(command)

const runProgram = (program: Program): Effect.Effect<void> =>
  Effect.gen(function* () {
    const { maxWorkers } = program
    const scope = yield* Scope.make()
    const context: Context.Context<Executor.Executor | Executor.LocalExecutor> = yield* Layer.buildWithScope(
      Executor.layerFiber({ maxWorkers }),
      scope
    )
    const withPool = <A, E>(effect: Effect.Effect<A, E, Executor.Executor | Executor.LocalExecutor>) =>
      Effect.provideContext(effect, context)

    const model: Model = { maxWorkers, futures: [], queue: [], shutdown: false, cancelledOnShutdown: false }
    const handles: Array<Handle> = []
    const callbacks: Array<CallbackRecord> = []
    const callbackLog: Array<number> = []
    const waiters: Array<Fiber.Fiber<void>> = []
    const gauge: Gauge = { live: 0, max: 0 }
    let scopeClosed = false

    const makeTask = (gate: Deferred.Deferred<number, string>, probe: TaskProbe): Effect.Effect<number, string> =>
      Effect.suspend(() => {
        probe.started = true
        gauge.live++
        gauge.max = Math.max(gauge.max, gauge.live)
        return Deferred.await(gate)
      }).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            if (probe.started && !probe.ended) {
              probe.ended = true
              gauge.live--
            }
          })
        )
      )

    /** Even ids return an Effect, odd ids are plain functions: both callback forms run. */
    const addCallback = (handle: Handle): Effect.Effect<CallbackRecord> =>
      Effect.gen(function* () {
        const record: CallbackRecord = {
          id: callbacks.length,
          index: handle.index,
          calls: 0,
          statesAtCall: [],
          receivedItsFuture: true
        }
        callbacks.push(record)
        const onDone = (future: Future.Future<number, string>, state: State) => {
          record.calls++
          record.statesAtCall.push(state)
          if (future !== handle.future) record.receivedItsFuture = false
          callbackLog.push(record.id)
        }
        yield* Future.addDoneCallback(
          handle.future,
          record.id % 2 === 0
            ? (future) => Effect.map(Future.state(future), (state) => onDone(future, state))
            : (future) => onDone(future, Effect.runSync(Future.state(future)))
        )
        return record
      })

    const observe: Effect.Effect<Snapshot> = Effect.gen(function* () {
      const stats = yield* withPool(Executor.stats)
      const states: Array<State> = []
      const queries: Array<readonly [boolean, boolean, boolean]> = []
      const outcomes: Array<ObservedOutcome> = []
      for (const handle of handles) {
        const state = yield* Future.state(handle.future)
        states.push(state)
        if (handle.seen[handle.seen.length - 1] !== state) handle.seen.push(state)
        queries.push([
          yield* Future.running(handle.future),
          yield* Future.done(handle.future),
          yield* Future.cancelled(handle.future)
        ])
        outcomes.push(yield* observeOutcome(handle.future))
      }
      const expectedStarted = expectedSnapshot(model, callbacks, waiters.length).started
      return {
        states,
        queries,
        outcomes,
        started: handles.map((handle, i) => (expectedStarted[i] === null ? null : handle.task.started)),
        callbackCalls: callbacks.map((callback) => callback.calls),
        liveTasks: gauge.live,
        busy: stats.busy,
        queued: stats.queued,
        shutdownWaitersDone: waiters.map((fiber) => fiber.pollUnsafe() !== undefined)
      }
    })

    const describeRun = (step: string) =>
      `${step}\nmaxWorkers: ${maxWorkers}\nmodel: ${JSON.stringify(
        model.futures.map((future, i) => `${i}:${future.state}${future.gate ? "+gated" : ""}`)
      )} queue ${JSON.stringify(model.queue)} shutdown ${model.shutdown}`

    /**
     * Lets the pool's fibers run until what we observe is what the model predicts (or the budget runs out),
     * then checks it, and the invariants that hold at every step.
     */
    const check = (step: string) =>
      Effect.gen(function* () {
        const expected = expectedSnapshot(model, callbacks, waiters.length)
        let actual = yield* observe
        for (let i = 0; i < yieldBudget(handles.length) && !isDeepStrictEqual(actual, expected); i++) {
          yield* Effect.yieldNow
          actual = yield* observe
        }
        const where = describeRun(step)
        assert.deepStrictEqual(actual, expected, where)
        assert.isAtMost(gauge.max, maxWorkers, `more than maxWorkers tasks ran at once; ${where}`)
        assert.isAtMost(expected.busy, maxWorkers, where)
        assert.strictEqual(expected.busy, Math.min(maxWorkers, expected.busy + expected.queued), where)
        if (model.cancelledOnShutdown)
          assert.notInclude(actual.states, "pending", `pending after cancelFutures; ${where}`)
        for (const handle of handles) {
          // States are sampled, so a step may be skipped (pending → succeeded), never taken back, and at most
          // one terminal state is ever seen.
          const ranks = handle.seen.map(stateRank)
          assert.isTrue(
            ranks.every((rank, i) => i === 0 || rank > ranks[i - 1]!),
            `future ${handle.index} went ${handle.seen.join(" → ")}; ${where}`
          )
        }
        for (const callback of callbacks) {
          const state = actual.states[callback.index]!
          assert.isTrue(callback.receivedItsFuture, `callback ${callback.id} got another future; ${where}`)
          for (const seen of callback.statesAtCall) {
            assert.strictEqual(seen, state, `callback ${callback.id} ran in state ${seen}; ${where}`)
          }
        }
        for (const handle of handles) {
          const registered = callbacks.filter((callback) => callback.index === handle.index).map((c) => c.id)
          const ran = callbackLog.filter((id) => callbacks[id]!.index === handle.index)
          assert.deepStrictEqual(
            ran,
            registered.slice(0, ran.length),
            `callbacks of future ${handle.index} out of order; ${where}`
          )
        }
      })

    const submit = (step: string) =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<number, string>()
        const probe: TaskProbe = { started: false, ended: false }
        const exit = yield* Effect.exit(withPool(Executor.submit(makeTask(gate, probe))))
        const expected = modelSubmit(model)
        if (expected === "rejected") {
          assert.isTrue(Exit.isFailure(exit), `submit after shutdown succeeded; ${describeRun(step)}`)
          if (Exit.isFailure(exit)) {
            const error = Cause.findErrorOption(exit.cause)
            assert.isTrue(Option.isSome(error) && error.value instanceof FutureError.ExecutorShutdownError, step)
          }
          return undefined
        }
        if (Exit.isFailure(exit)) return assert.fail(`submit failed: ${Cause.pretty(exit.cause)}; ${describeRun(step)}`)
        const handle: Handle = { index: expected, future: exit.value, gate, task: probe, seen: [] }
        handles.push(handle)
        // Every future gets one callback at once, so "each callback exactly once" covers every future.
        yield* addCallback(handle)
        return handle
      })

    const runCommand = (command: Command, step: string) =>
      Effect.gen(function* () {
        const pick = (target: Target): Handle | undefined => {
          const among =
            target.among === "any"
              ? []
              : handles.filter((handle) => model.futures[handle.index]!.state === target.among)
          const candidates = among.length > 0 ? among : handles
          return candidates.length === 0 ? undefined : candidates[target.n % candidates.length]
        }
        switch (command._tag) {
          case "Submit": {
            for (let i = 0; i < command.count; i++) yield* submit(step)
            return
          }
          case "SubmitThenInterrupt": {
            // No yield between the two: the task's fiber may not have begun when it is interrupted.
            const handle = yield* submit(step)
            if (handle === undefined) return
            const expected = modelInterrupt(model, handle.index)
            const actual = yield* bounded(Future.interrupt(handle.future), `interrupt (${step})`)
            assert.strictEqual(actual, expected, `interrupt's result; ${describeRun(step)}`)
            return
          }
          case "Complete": {
            const handle = pick(command.target)
            if (handle === undefined) return
            const outcome = command.outcome
            const exit: Exit.Exit<number, string> =
              outcome._tag === "Succeed"
                ? Exit.succeed(outcome.value)
                : outcome._tag === "Fail"
                  ? Exit.fail(outcome.error)
                  : Exit.die(new Error(outcome.message))
            const actual = yield* Deferred.done(handle.gate, exit)
            const expected = modelComplete(model, handle.index, outcome)
            assert.strictEqual(actual, expected, `completing the task's gate; ${describeRun(step)}`)
            return
          }
          case "Cancel": {
            const handle = pick(command.target)
            if (handle === undefined) return
            const before = model.futures[handle.index]!.state
            const expected = modelCancel(model, handle.index)
            const actual = yield* Future.cancel(handle.future)
            assert.strictEqual(actual, expected, `cancel's result on a ${before} future; ${describeRun(step)}`)
            if (before === "pending") {
              // Python runs the callbacks of a cancelled future before cancel returns.
              for (const callback of callbacks) {
                if (callback.index === handle.index) {
                  assert.strictEqual(callback.calls, 1, `callback ${callback.id} after cancel; ${describeRun(step)}`)
                }
              }
            }
            return
          }
          case "Interrupt": {
            const handle = pick(command.target)
            if (handle === undefined) return
            const before = model.futures[handle.index]!.state
            const expected = modelInterrupt(model, handle.index)
            const actual = yield* bounded(Future.interrupt(handle.future), `interrupt (${step})`)
            assert.strictEqual(actual, expected, `interrupt's result on a ${before} future; ${describeRun(step)}`)
            if (!isTerminal(before)) {
              // interrupt waits until the task has ended
              assert.isTrue(
                yield* Future.done(handle.future),
                `interrupt returned before the end; ${describeRun(step)}`
              )
            }
            return
          }
          case "AddDoneCallback": {
            const handle = pick(command.target)
            if (handle === undefined) return
            const record = yield* addCallback(handle)
            // "At once" means before addDoneCallback returns.
            const expected = isTerminal(model.futures[handle.index]!.state) ? 1 : 0
            assert.strictEqual(record.calls, expected, `callback calls right after adding; ${describeRun(step)}`)
            return
          }
          case "Shutdown": {
            modelShutdown(model, command.cancelFutures)
            const shutdown = withPool(Executor.shutdown({ wait: command.wait, cancelFutures: command.cancelFutures }))
            // Started at once, as Python's shutdown(wait=True) marks the executor shut down before it blocks.
            if (command.wait) waiters.push(yield* Effect.forkChild(shutdown, { startImmediately: true }))
            else yield* bounded(shutdown, `shutdown (${step})`)
            return
          }
        }
      })

    const body = Effect.gen(function* () {
      for (let i = 0; i < program.commands.length; i++) {
        const step = `step ${i}: ${showCommand(program.commands[i]!)}`
        yield* runCommand(program.commands[i]!, step)
        yield* check(step)
      }

      if (program.ending === "drain") {
        for (const handle of handles) {
          const outcome: Outcome = { _tag: "Succeed", value: 1000 + handle.index }
          const actual = yield* Deferred.succeed(handle.gate, outcome.value)
          assert.strictEqual(actual, modelComplete(model, handle.index, outcome), "draining")
        }
        yield* check("drain: every task completed")
        yield* bounded(Scope.close(scope, Exit.void), "closing the Layer's scope")
      } else {
        modelAbort(model)
        yield* bounded(Scope.close(scope, Exit.die(new Error("abort"))), "closing the Layer's scope on failure")
      }
      scopeClosed = true
      yield* check(`end (${program.ending}): scope closed`)

      // After the scope: every future done, exactly once; every callback ran exactly once; nothing runs.
      const where = describeRun(`end (${program.ending})`)
      for (const handle of handles) {
        const state = yield* Future.state(handle.future)
        assert.isTrue(isTerminal(state), `future ${handle.index} is ${state} after the scope closed; ${where}`)
        assert.strictEqual(
          handle.seen.filter(isTerminal).length,
          1,
          `future ${handle.index}: ${handle.seen.join(" → ")}`
        )
      }
      for (const callback of callbacks) {
        assert.strictEqual(callback.calls, 1, `callback ${callback.id} ran ${callback.calls} times; ${where}`)
      }
      assert.strictEqual(gauge.live, 0, `tasks still running after the scope closed; ${where}`)
      for (const fiber of waiters) {
        const exit = yield* bounded(Effect.exit(Fiber.join(fiber)), "shutdown({ wait: true })")
        assert.isTrue(Exit.isSuccess(exit), `shutdown({ wait: true }) ended with ${String(exit)}`)
      }
      const late = yield* Effect.exit(withPool(Executor.submit(Effect.succeed(0))))
      assert.isTrue(
        Exit.isFailure(late) &&
          Option.exists(Cause.findErrorOption(late.cause), (e) => e instanceof FutureError.ExecutorShutdownError),
        "submit after the scope closed must fail with ExecutorShutdownError"
      )
    })

    yield* body.pipe(
      Effect.onError(() =>
        scopeClosed
          ? Effect.void
          : Effect.ignore(Effect.timeoutOption(Scope.close(scope, Exit.die("failed")), "1 second"))
      )
    )
  })

// ---------------------------------------------------------------------------------------------------------

const numRuns = Number(process.env.FC_NUM_RUNS ?? 200)
const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) }
const path = process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }

describe("cancellation semantics, model-based", () => {
  it("random programs of submit, cancel, interrupt, complete, addDoneCallback and shutdown follow the model", async () => {
    await fc.assert(
      fc.asyncProperty(programArb, (program) => Effect.runPromise(runProgram(program))),
      { numRuns, ...seed, ...path }
    )
  }, 120_000)
})
