/**
 * Runs an `ExecutorProgram` against a real executor Layer and, step by step, against `ExecutorModel`, checking
 * after each step that what the executor's futures, callbacks and stats show is what the model predicts, and
 * the contract's invariants (one terminal state, callbacks once and in order, at most `maxWorkers` tasks at
 * once, nothing pending after `cancelFutures`, every future done after the scope closes).
 *
 * `"auto"` programs run on an executor that starts tasks itself (`layerFiber`): each task waits on a gate that
 * `Complete` opens. `"manual"` programs run on `TestExecutor`: `RunNext`, `RunAll`, `Complete` and `Crash` are
 * its operations.
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import { assert } from "@effect/vitest"
import { Cause, type Context, Deferred, Effect, Exit, Fiber, Layer, Option, Scope } from "effect"
import * as fc from "fast-check"
import { isDeepStrictEqual } from "node:util"
import { ExecutorModel, ExecutorProgram, TestExecutor } from "../src/index.ts"

type State = Future.State

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

/** What the checks compare after each step; the model predicts every field. */
interface Snapshot {
  readonly states: ReadonlyArray<State>
  /** `[running, done, cancelled]` of each future, from the non-blocking queries. */
  readonly queries: ReadonlyArray<readonly [boolean, boolean, boolean]>
  readonly results: ReadonlyArray<ExecutorModel.Result>
  /** Whether each task's body began; `null` where either is allowed (interrupted right after it started). */
  readonly started: ReadonlyArray<boolean | null>
  readonly callbackCalls: ReadonlyArray<number>
  readonly liveTasks: number
  readonly busy: number
  readonly queued: number
  readonly shutdownWaitersDone: ReadonlyArray<boolean>
}

const expectedSnapshot = (
  model: ExecutorModel.Model,
  callbacks: ReadonlyArray<CallbackRecord>,
  waiters: number
): Snapshot => {
  const running = ExecutorModel.count(model, "running")
  const allDone = model.futures.every((future) => ExecutorModel.isDone(future.state))
  return {
    states: model.futures.map((future) => future.state),
    queries: model.futures.map(
      (future) =>
        [future.state === "running", ExecutorModel.isDone(future.state), future.state === "cancelled"] as const
    ),
    results: model.futures.map(ExecutorModel.resultOf),
    started: model.futures.map((future) => (!future.started ? false : future.state === "cancelled" ? null : true)),
    callbackCalls: callbacks.map((callback) => (ExecutorModel.isDone(model.futures[callback.index]!.state) ? 1 : 0)),
    liveTasks: running,
    busy: running,
    queued: ExecutorModel.count(model, "pending"),
    shutdownWaitersDone: Array.from({ length: waiters }, () => allDone)
  }
}

const observeResult = (future: Future.Future<number, string>): Effect.Effect<ExecutorModel.Result> =>
  Effect.gen(function* () {
    if (!(yield* Future.done(future))) return { _tag: "NotDone" } as const
    const exit = yield* Future.await(future)
    if (Exit.isSuccess(exit)) return { _tag: "Succeed", value: exit.value } as const
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isSome(error)) {
      const value: unknown = error.value
      return value instanceof FutureError.CancelledError
        ? ({ _tag: "Cancelled" } as const)
        : value instanceof FutureError.BrokenExecutorError
          ? ({ _tag: "Crashed" } as const)
          : ({ _tag: "Fail", error: error.value as string } as const)
    }
    const defect = Cause.findDefect(exit.cause)
    return defect._tag === "Success" && defect.success instanceof Error
      ? ({ _tag: "Die", message: defect.success.message } as const)
      : ({ _tag: "Die", message: `unexpected cause: ${Cause.pretty(exit.cause)}` } as const)
  })

/**
 * How many times a check lets the executor's fibers run before it compares: a cascade of queued tasks
 * starting one after another takes about one yield per future, so the budget grows with them.
 */
const yieldBudget = (futures: number): number => 100 + 10 * futures

/** Fails the run (with `what` in the message) if `effect` has not ended within 2 s: a hang is a bug. */
const bounded = <A, E>(effect: Effect.Effect<A, E>, what: string): Effect.Effect<A, E> =>
  Effect.timeoutOrElse(effect, {
    duration: "2 seconds",
    orElse: () => Effect.die(new Error(`${what} did not end within 2 s`))
  })

type Services = Executor.Executor | Executor.LocalExecutor

/** The executor a program runs on: a real one (`"auto"`) or the test executor (`"manual"`). */
export interface Subject {
  readonly start: ExecutorProgram.Start
  readonly layer: (maxWorkers: number) => Layer.Layer<Services> | Layer.Layer<Services | TestExecutor.TestExecutor>
}

export const runProgram = (subject: Subject, program: ExecutorProgram.Program): Effect.Effect<void> =>
  Effect.gen(function* () {
    const { maxWorkers } = program
    const manual = subject.start === "manual"
    const scope = yield* Scope.make()
    const layer = subject.layer(maxWorkers) as Layer.Layer<Services | TestExecutor.TestExecutor>
    const context = (yield* Layer.buildWithScope(layer, scope)) as Context.Context<Services | TestExecutor.TestExecutor>
    const withExecutor = <A, E>(effect: Effect.Effect<A, E, Services | TestExecutor.TestExecutor>) =>
      Effect.provideContext(effect, context)

    const model = ExecutorModel.make({ maxWorkers, start: subject.start })
    const handles: Array<Handle> = []
    const callbacks: Array<CallbackRecord> = []
    const callbackLog: Array<number> = []
    const waiters: Array<Fiber.Fiber<void>> = []
    const gauge = { live: 0, max: 0 }
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
      const stats = yield* withExecutor(Executor.stats)
      const states: Array<State> = []
      const queries: Array<readonly [boolean, boolean, boolean]> = []
      const results: Array<ExecutorModel.Result> = []
      for (const handle of handles) {
        const state = yield* Future.state(handle.future)
        states.push(state)
        if (handle.seen[handle.seen.length - 1] !== state) handle.seen.push(state)
        queries.push([
          yield* Future.running(handle.future),
          yield* Future.done(handle.future),
          yield* Future.cancelled(handle.future)
        ])
        results.push(yield* observeResult(handle.future))
      }
      const expectedStarted = expectedSnapshot(model, callbacks, waiters.length).started
      return {
        states,
        queries,
        results,
        started: handles.map((handle, i) => (expectedStarted[i] === null ? null : handle.task.started)),
        callbackCalls: callbacks.map((callback) => callback.calls),
        liveTasks: gauge.live,
        busy: stats.busy,
        queued: stats.queued,
        shutdownWaitersDone: waiters.map((fiber) => fiber.pollUnsafe() !== undefined)
      }
    })

    const describeRun = (step: string) =>
      `${step}\n${subject.start} executor, maxWorkers: ${maxWorkers}\nmodel: ${JSON.stringify(
        model.futures.map((future, i) => `${i}:${future.state}${future.outcome ? "+" + future.outcome._tag : ""}`)
      )} queue ${JSON.stringify(model.queue)} shutdown ${model.shutdown}`

    /**
     * Lets the executor's fibers run until what we observe is what the model predicts (or the budget runs
     * out), then checks it, and the invariants that hold at every step.
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
        if (model.cancelledOnShutdown) {
          assert.notInclude(actual.states, "pending", `pending after cancelFutures; ${where}`)
        }
        for (const handle of handles) {
          // States are sampled, so a step may be skipped (pending → succeeded), never taken back, and at most
          // one terminal state is ever seen.
          const ranks = handle.seen.map(ExecutorModel.rank)
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
            `callbacks of ${handle.index} out of order; ${where}`
          )
        }
      })

    const submit = (step: string) =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<number, string>()
        const probe: TaskProbe = { started: false, ended: false }
        const exit = yield* Effect.exit(withExecutor(Executor.submit(makeTask(gate, probe))))
        const expected = ExecutorModel.submit(model)
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

    const indexOf = (future: Future.Future<unknown, unknown>) =>
      handles.findIndex((handle) => (handle.future as Future.Future<unknown, unknown>) === future)

    const endTask = (handle: Handle, outcome: ExecutorProgram.Outcome, step: string) =>
      Effect.gen(function* () {
        const exit = ExecutorProgram.exitOf(outcome)
        const expected = ExecutorModel.complete(model, handle.index, outcome)
        const actual = manual
          ? Exit.isSuccess(yield* Effect.exit(withExecutor(TestExecutor.complete(handle.future, exit))))
          : yield* Deferred.done(handle.gate, exit)
        assert.strictEqual(actual, expected, `completing task ${handle.index}; ${describeRun(step)}`)
      })

    const runCommand = (command: ExecutorProgram.Command, step: string) =>
      Effect.gen(function* () {
        switch (command._tag) {
          case "Submit": {
            for (let i = 0; i < command.count; i++) yield* submit(step)
            return
          }
          case "SubmitThenInterrupt": {
            // No yield between the two: the task's fiber may not have begun when it is interrupted.
            const handle = yield* submit(step)
            if (handle === undefined) return
            const expected = ExecutorModel.interrupt(model, handle.index)
            const actual = yield* bounded(Future.interrupt(handle.future), `interrupt (${step})`)
            assert.strictEqual(actual, expected, `interrupt's result; ${describeRun(step)}`)
            return
          }
          case "RunNext": {
            const expected = ExecutorModel.runNext(model)
            const actual = yield* withExecutor(TestExecutor.runNext)
            assert.deepStrictEqual(Option.map(actual, indexOf), Option.fromUndefinedOr(expected), describeRun(step))
            return
          }
          case "RunAll": {
            const expected = ExecutorModel.runAll(model)
            const actual = yield* withExecutor(TestExecutor.runAll)
            assert.deepStrictEqual(actual.map(indexOf), expected, describeRun(step))
            return
          }
          case "Shutdown": {
            ExecutorModel.shutdown(model, command)
            const shutdown = withExecutor(
              Executor.shutdown({ wait: command.wait, cancelFutures: command.cancelFutures })
            )
            // Started at once, as Python's shutdown(wait=True) marks the executor shut down before it blocks.
            if (command.wait) waiters.push(yield* Effect.forkChild(shutdown, { startImmediately: true }))
            else yield* bounded(shutdown, `shutdown (${step})`)
            return
          }
        }
        const index = ExecutorModel.pick(model, command.target)
        if (index === undefined) return
        const handle = handles[index]!
        const before = model.futures[index]!.state
        switch (command._tag) {
          case "Complete":
            return yield* endTask(handle, command.outcome, step)
          case "Crash": {
            const expected = ExecutorModel.crash(model, index)
            const actual = yield* Effect.exit(withExecutor(TestExecutor.crash(handle.future)))
            assert.strictEqual(Exit.isSuccess(actual), expected, `crash of a ${before} future; ${describeRun(step)}`)
            return
          }
          case "Cancel": {
            const expected = ExecutorModel.cancel(model, index)
            const actual = yield* Future.cancel(handle.future)
            assert.strictEqual(actual, expected, `cancel's result on a ${before} future; ${describeRun(step)}`)
            if (before === "pending") {
              // Python runs the callbacks of a cancelled future before cancel returns.
              for (const callback of callbacks) {
                if (callback.index === index) {
                  assert.strictEqual(callback.calls, 1, `callback ${callback.id} after cancel; ${describeRun(step)}`)
                }
              }
            }
            return
          }
          case "Interrupt": {
            const expected = ExecutorModel.interrupt(model, index)
            const actual = yield* bounded(Future.interrupt(handle.future), `interrupt (${step})`)
            assert.strictEqual(actual, expected, `interrupt's result on a ${before} future; ${describeRun(step)}`)
            if (!ExecutorModel.isDone(before)) {
              // interrupt waits until the task has ended
              assert.isTrue(
                yield* Future.done(handle.future),
                `interrupt returned before the end; ${describeRun(step)}`
              )
            }
            return
          }
          case "AddDoneCallback": {
            const record = yield* addCallback(handle)
            // "At once" means before addDoneCallback returns.
            const expected = ExecutorModel.isDone(model.futures[index]!.state) ? 1 : 0
            assert.strictEqual(record.calls, expected, `callback calls right after adding; ${describeRun(step)}`)
            return
          }
        }
      })

    /** Lets every task end with success: released on a real executor; run and completed on the test one. */
    const drain = Effect.gen(function* () {
      if (!manual) {
        for (const handle of handles) yield* endTask(handle, { _tag: "Succeed", value: 1000 + handle.index }, "drain")
        return
      }
      for (;;) {
        const expected = ExecutorModel.runAll(model)
        const started = yield* withExecutor(TestExecutor.runAll)
        assert.deepStrictEqual(started.map(indexOf), expected, describeRun("drain: runAll"))
        const running = handles.filter((handle) => model.futures[handle.index]!.state === "running")
        if (running.length === 0) return
        for (const handle of running) yield* endTask(handle, { _tag: "Succeed", value: 1000 + handle.index }, "drain")
      }
    })

    const body = Effect.gen(function* () {
      for (let i = 0; i < program.commands.length; i++) {
        const step = `step ${i}: ${JSON.stringify(program.commands[i]!)}`
        yield* runCommand(program.commands[i]!, step)
        yield* check(step)
      }
      if (program.ending === "drain") {
        yield* drain
        yield* check("drain: every task completed")
        yield* bounded(Scope.close(scope, Exit.void), "closing the Layer's scope")
      } else {
        ExecutorModel.abort(model)
        yield* bounded(Scope.close(scope, Exit.die(new Error("abort"))), "closing the Layer's scope on failure")
      }
      scopeClosed = true
      yield* check(`end (${program.ending}): scope closed`)

      // After the scope: every future done, exactly once; every callback ran exactly once; nothing runs.
      const where = describeRun(`end (${program.ending})`)
      for (const handle of handles) {
        const state = yield* Future.state(handle.future)
        assert.isTrue(
          ExecutorModel.isDone(state),
          `future ${handle.index} is ${state} after the scope closed; ${where}`
        )
        assert.strictEqual(
          handle.seen.filter(ExecutorModel.isDone).length,
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
      const late = yield* Effect.exit(withExecutor(Executor.submit(Effect.succeed(0))))
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

/** fast-check's settings from the environment: `FC_SEED`, `FC_PATH`, `FC_NUM_RUNS` (default `numRuns`). */
export const fcParameters = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns: Number(process.env.FC_NUM_RUNS ?? numRuns),
  ...(process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) }),
  ...(process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH })
})
