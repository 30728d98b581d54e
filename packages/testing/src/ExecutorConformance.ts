/**
 * The behaviours every executor must have — the guarantees of the effect-futures contract — as a vitest
 * suite that an executor's author runs on their Layer: one terminal state per future, done callbacks once and
 * in order, Python's `cancel` rule, `interrupt`, shutdown and scope close (no future waits for ever), `map`'s
 * order and failure, `asCompleted` and `wait`, typed errors arriving as their class, `ExecutorShutdownError`
 * after shutdown, and the stats.
 *
 * The tests submit the task of `ConformanceTasks`: give a worker pool that module ({@link tasksModule}). Each
 * test builds the Layer anew, so a test that shuts the executor down leaves the
 * next one a fresh executor.
 *
 * @since 0.1.0
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { describe, expect, it } from "vitest"
import { type Behaviour, behave, ConformanceError } from "./ConformanceTasks.ts"

/**
 * The URL of the conformance task module, for a worker pool's `module` option: `ConformanceTasks.ts` beside
 * this module when the package runs from its sources, `ConformanceTasks.js` when it is built.
 *
 * @example
 * ```ts
 * import { NodeExecutor } from "@effect-futures/node"
 * import { ExecutorConformance } from "@effect-futures/testing"
 *
 * const layer = NodeExecutor.layerWorkerThreads({ module: ExecutorConformance.tasksModule, maxWorkers: 2 })
 * ```
 *
 * @since 0.1.0
 * @category task module
 */
export const tasksModule: URL = new URL(
  `./ConformanceTasks${/\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? ".js"}`,
  import.meta.url
)

/**
 * Options of {@link suite}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long one step may take before the test fails as a hang (default 10 seconds). */
  readonly stepTimeout?: Duration.Input | undefined
  /** vitest's timeout of each test in milliseconds (default 30 000). */
  readonly testTimeout?: number | undefined
}

type Run = <A, E>(body: Effect.Effect<A, E, Executor.Executor>) => Promise<void>

/**
 * Registers the conformance tests of an executor Layer with vitest, under `describe(name)`. Call it at the top
 * level of a test file.
 *
 * @example
 * ```ts
 * // fiber.conformance.test.ts
 * import { Executor } from "@effect-futures/core"
 * import { ExecutorConformance } from "@effect-futures/testing"
 *
 * ExecutorConformance.suite("layerFiber", Executor.layerFiber({ maxWorkers: 2 }))
 * ```
 *
 * @since 0.1.0
 * @category suite
 */
export const suite = <E>(name: string, layer: Layer.Layer<Executor.Executor, E>, options?: Options): void => {
  const stepTimeout = options?.stepTimeout ?? "10 seconds"
  const testTimeout = options?.testTimeout ?? 30_000
  const run: Run = (body) =>
    Effect.runPromise(
      body.pipe(
        Effect.provide(layer),
        Effect.timeoutOrElse({
          duration: testTimeout,
          orElse: () => Effect.die(new Error(`the test did not end within ${testTimeout} ms`))
        }),
        Effect.asVoid,
        Effect.mapError((error) => new Error(`the test failed with ${String(error)}`))
      )
    )
  const test = (title: string, body: (tools: Tools) => Effect.Effect<unknown, unknown, Executor.Executor>) =>
    it(title, () => run(body(tools(stepTimeout))), testTimeout + 5_000)
  describe(name, () => {
    registerOutcomes(test)
    registerCallbacks(test)
    registerCancellation(test)
    registerShutdown(test, layer, stepTimeout, testTimeout)
    registerCollecting(test)
    registerStats(test)
  })
}

type Test = (title: string, body: (tools: Tools) => Effect.Effect<unknown, unknown, Executor.Executor>) => void

/** What the tests share: submitting a behaviour, waiting with a bound, waiting for a state. */
interface Tools {
  readonly submit: (behaviour: Behaviour) => Effect.Effect<Future.Future<number, unknown>, unknown, Executor.Executor>
  /** Fails the test with `what` if `effect` takes longer than the step timeout: a hang is a failure. */
  readonly bounded: <A, E, R>(effect: Effect.Effect<A, E, R>, what: string) => Effect.Effect<A, E, R>
  /** Waits until the future runs (a worker took it); fails if it ends first or never starts. */
  readonly awaitRunning: (future: Future.Future<unknown, unknown>) => Effect.Effect<void>
  /** Submits one never-ending task per worker and waits until each runs: every worker is busy. */
  readonly occupyWorkers: Effect.Effect<ReadonlyArray<Future.Future<number, unknown>>, unknown, Executor.Executor>
}

const tools = (stepTimeout: Duration.Input): Tools => {
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
  const occupyWorkers = Effect.gen(function* () {
    const { maxWorkers } = yield* Executor.Executor
    const hangs: Array<Future.Future<number, unknown>> = []
    // One at a time: each goes to a free worker of its own, never into another's batch.
    for (let i = 0; i < maxWorkers; i++) {
      const hang = yield* submit({ _tag: "Hang" })
      yield* awaitRunning(hang)
      hangs.push(hang)
    }
    return hangs
  })
  return { submit, bounded, awaitRunning, occupyWorkers }
}

const succeed = (value: number, millis = 0): Behaviour => ({ _tag: "Succeed", value, millis })
const fail = (code: number, millis = 0): Behaviour => ({ _tag: "Fail", code, millis })
const die = (message: string): Behaviour => ({ _tag: "Die", message })
const hang: Behaviour = { _tag: "Hang" }

const errorOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

const defectOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const defect = Cause.findDefect(exit.cause)
  return defect._tag === "Success" ? defect.success : undefined
}

const isCancelled = (exit: Exit.Exit<unknown, unknown>): boolean => errorOf(exit) instanceof FutureError.CancelledError

/** Interrupts every future (the never-ending ones a test left) and checks each ends cancelled. */
const stopAll = (futures: ReadonlyArray<Future.Future<unknown, unknown>>, bounded: Tools["bounded"]) =>
  Effect.forEach(futures, (future) => bounded(Future.interrupt(future), "interrupting a running task"), {
    discard: true
  })

const registerOutcomes = (test: Test) => {
  test("a task's value arrives, and the future ends succeeded", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const future = yield* submit(succeed(7))
      expect(yield* bounded(Future.result(future), "result")).toBe(7)
      expect(yield* Future.state(future)).toBe("succeeded")
      expect([yield* Future.done(future), yield* Future.running(future), yield* Future.cancelled(future)]).toEqual([
        true,
        false,
        false
      ])
    }))

  test("a typed error arrives as its own class, in the error channel", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const future = yield* submit(fail(3))
      const error = yield* bounded(Effect.flip(Future.result(future)), "result")
      expect(error).toBeInstanceOf(ConformanceError)
      expect((error as ConformanceError).code).toBe(3)
      const exception = yield* Future.exception(future)
      expect(Option.isSome(exception) && exception.value instanceof ConformanceError).toBe(true)
      expect(yield* Future.state(future)).toBe("failed")
    }))

  test("a defect ends the future failed and is raised again as a defect", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const future = yield* submit(die("boom"))
      const exit = yield* bounded(Future.await(future), "await")
      expect(yield* Future.state(future)).toBe("failed")
      expect(errorOf(exit)).toBeUndefined()
      const defect = defectOf(exit)
      expect(defect).toBeInstanceOf(Error)
      expect((defect as Error).message).toBe("boom")
      const resultExit = yield* Effect.exit(Future.result(future))
      expect(defectOf(resultExit)).toBeInstanceOf(Error)
      expect(errorOf(resultExit)).toBeUndefined()
    }))
}

const registerCallbacks = (test: Test) => {
  test("every future ends once, and its done callbacks run exactly once, in registration order", ({
    bounded,
    submit
  }) =>
    Effect.gen(function* () {
      const behaviours = [succeed(1), fail(2), die("three"), succeed(4, 20), fail(5, 10), succeed(6)]
      const calls: Array<{ readonly future: number; readonly callback: number; readonly state: Future.State }> = []
      const allRan = yield* Deferred.make<void>()
      const expected = behaviours.length * 2
      const record = (future: number, callback: number) => (self: Future.Future<number, unknown>) =>
        Effect.map(Future.state(self), (state) => {
          calls.push({ future, callback, state })
          if (calls.length === expected) Deferred.doneUnsafe(allRan, Exit.void)
        })
      const futures: Array<Future.Future<number, unknown>> = []
      for (const [index, behaviour] of behaviours.entries()) {
        const future = yield* submit(behaviour)
        futures.push(future)
        // One Effect callback and one plain function.
        yield* Future.addDoneCallback(future, record(index, 0))
        yield* Future.addDoneCallback(future, (self) => void Effect.runSync(record(index, 1)(self)))
      }
      yield* bounded(Deferred.await(allRan), "the done callbacks")
      const states = yield* Effect.forEach(futures, Future.state)
      expect(states).toEqual(["succeeded", "failed", "failed", "succeeded", "failed", "succeeded"])
      for (const [index, state] of states.entries()) {
        const own = calls.filter((call) => call.future === index)
        expect(
          own.map((call) => call.callback),
          `callbacks of future ${index}`
        ).toEqual([0, 1])
        expect(
          own.every((call) => call.state === state),
          `states seen by callbacks of ${index}`
        ).toBe(true)
      }
      // Completing again is refused: the terminal state is final.
      const again = yield* Effect.flip(Future.complete(futures[0]!, Exit.succeed(0)))
      expect(again).toBeInstanceOf(FutureError.InvalidStateError)
      expect(calls.length).toBe(expected)
    }))

  test("a callback added to a done future runs before addDoneCallback returns", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const future = yield* submit(succeed(1))
      yield* bounded(Future.await(future), "await")
      let calls = 0
      yield* Future.addDoneCallback(future, () => void calls++)
      expect(calls).toBe(1)
    }))
}

const registerCancellation = (test: Test) => {
  test("cancel returns false while the task runs; interrupt stops it and the future ends cancelled", ({
    awaitRunning,
    bounded,
    submit
  }) =>
    Effect.gen(function* () {
      const future = yield* submit(hang)
      yield* awaitRunning(future)
      expect(yield* Future.cancel(future)).toBe(false)
      expect(yield* Future.state(future)).toBe("running")
      expect(yield* bounded(Future.interrupt(future), "interrupt")).toBe(true)
      // interrupt waits until the task has ended
      expect(yield* Future.state(future)).toBe("cancelled")
      const error = yield* Effect.flip(Future.result(future))
      expect(error).toBeInstanceOf(FutureError.CancelledError)
      expect(yield* Future.interrupt(future)).toBe(true)
      expect(yield* Future.cancel(future)).toBe(true)
      // The executor still serves after a task was interrupted.
      expect(yield* bounded(Effect.flatMap(submit(succeed(9)), Future.result), "a task after the interrupt")).toBe(9)
    }))

  test("cancel returns true iff the future was pending or already cancelled; callbacks run before it returns", ({
    bounded,
    occupyWorkers,
    submit
  }) =>
    Effect.gen(function* () {
      const hangs = yield* occupyWorkers
      // Every worker is busy: these wait in the queue.
      const queued = yield* Effect.forEach([1, 2, 3], (n) => submit(succeed(n)))
      for (const future of queued) {
        let called = 0
        yield* Future.addDoneCallback(future, () => void called++)
        // The state and the cancel in one synchronous step: no worker event comes between them.
        const [before, cancelled] = Effect.runSync(
          Effect.zip(Future.state(future), Future.cancel(future)) as Effect.Effect<readonly [Future.State, boolean]>
        )
        expect(before).toBe("pending")
        expect(cancelled).toBe(true)
        expect(called).toBe(1)
        expect(yield* Future.state(future)).toBe("cancelled")
        expect(yield* Future.cancel(future)).toBe(true)
      }
      for (const future of hangs) expect(yield* Future.cancel(future)).toBe(false)
      const done = yield* submit(succeed(0))
      yield* stopAll(hangs, bounded)
      yield* bounded(Future.await(done), "a task after the cancelled ones")
      expect(yield* Future.cancel(done)).toBe(false)
      expect(yield* Future.interrupt(done)).toBe(false)
      for (const future of queued) expect(yield* Future.state(future)).toBe("cancelled")
    }))

  test("interrupt cancels a pending future, whose task never runs", ({ bounded, occupyWorkers, submit }) =>
    Effect.gen(function* () {
      const hangs = yield* occupyWorkers
      const pending = yield* submit(fail(1))
      expect(yield* Future.state(pending)).toBe("pending")
      expect(yield* bounded(Future.interrupt(pending), "interrupt")).toBe(true)
      yield* stopAll(hangs, bounded)
      expect(isCancelled(yield* Future.await(pending))).toBe(true)
    }))
}

const registerShutdown = <E>(
  test: Test,
  layer: Layer.Layer<Executor.Executor, E>,
  stepTimeout: Duration.Input,
  testTimeout: number
) => {
  test("submit after shutdown fails with ExecutorShutdownError", ({ bounded, submit }) =>
    Effect.gen(function* () {
      yield* bounded(Executor.shutdown(), "shutdown")
      const error = yield* Effect.flip(submit(succeed(1)))
      expect(error).toBeInstanceOf(FutureError.ExecutorShutdownError)
      const stream = yield* Effect.flip(Stream.runDrain(Executor.map(behave, [succeed(1)])))
      expect(stream).toBeInstanceOf(FutureError.ExecutorShutdownError)
    }))

  test("shutdown({ wait: true }) lets running and queued tasks run to their end first", ({ bounded, submit }) =>
    Effect.gen(function* () {
      const { maxWorkers } = yield* Executor.Executor
      const futures = yield* Effect.forEach(
        Array.from({ length: maxWorkers + 2 }, (_, i) => i),
        (i) => submit(succeed(i, 20))
      )
      yield* bounded(Executor.shutdown({ wait: true }), "shutdown({ wait: true })")
      expect(yield* Effect.forEach(futures, Future.state)).toEqual(futures.map(() => "succeeded"))
      expect(yield* Effect.forEach(futures, (future) => Future.result(future))).toEqual(futures.map((_, i) => i))
    }))

  test("shutdown({ cancelFutures: true }) cancels every queued future and leaves none pending", ({
    bounded,
    occupyWorkers,
    submit
  }) =>
    Effect.gen(function* () {
      const hangs = yield* occupyWorkers
      const queued = yield* Effect.forEach([1, 2, 3], (n) => submit(succeed(n)))
      yield* bounded(Executor.shutdown({ wait: false, cancelFutures: true }), "shutdown({ wait: false })")
      expect(yield* Effect.forEach(queued, Future.state)).toEqual(["cancelled", "cancelled", "cancelled"])
      expect(yield* Effect.forEach(hangs, Future.state)).toEqual(hangs.map(() => "running"))
      expect((yield* Executor.stats).queued).toBe(0)
      yield* stopAll(hangs, bounded)
    }))

  // These three build the executor themselves: the point is what its scope's close does.
  const closing = (
    title: string,
    body: (tools: Tools, futures: Array<Future.Future<number, unknown>>) => Effect.Effect<void, unknown>
  ) =>
    it(title, { timeout: testTimeout }, () =>
      Effect.runPromise(
        Effect.gen(function* () {
          const futures: Array<Future.Future<number, unknown>> = []
          yield* body(tools(stepTimeout), futures)
          for (const future of futures) {
            expect(yield* Future.done(future), "every future is done once the scope has closed").toBe(true)
          }
        })
      )
    )

  closing("closing the scope normally waits until every task has ended", ({ bounded, submit }, futures) =>
    Effect.gen(function* () {
      yield* bounded(
        Effect.provide(
          Effect.gen(function* () {
            const { maxWorkers } = yield* Executor.Executor
            for (let i = 0; i <= maxWorkers; i++) futures.push(yield* submit(succeed(i, 20)))
          }),
          layer
        ),
        "the scope's close"
      )
      for (const future of futures) expect(yield* Future.state(future)).toBe("succeeded")
    })
  )

  closing(
    "closing the scope with a failure cancels the queued futures and interrupts the running ones",
    ({ awaitRunning, bounded, submit }, futures) =>
      Effect.gen(function* () {
        const exit = yield* bounded(
          Effect.exit(
            Effect.provide(
              Effect.gen(function* () {
                const { maxWorkers } = yield* Executor.Executor
                for (let i = 0; i < maxWorkers + 2; i++) futures.push(yield* submit(hang))
                yield* awaitRunning(futures[0]!)
                return yield* Effect.fail("the program failed")
              }),
              layer
            )
          ),
          "the scope's close"
        )
        expect(Exit.isFailure(exit)).toBe(true)
        for (const future of futures) expect(isCancelled(yield* Future.await(future))).toBe(true)
      })
  )

  closing(
    "an interruption during a normal close stops the tasks: no future waits for ever",
    ({ awaitRunning, bounded, submit }, futures) =>
      Effect.gen(function* () {
        const started = yield* Deferred.make<void>()
        const fiber = yield* Effect.forkChild(
          Effect.provide(
            Effect.gen(function* () {
              const { maxWorkers } = yield* Executor.Executor
              for (let i = 0; i < maxWorkers + 1; i++) futures.push(yield* submit(hang))
              yield* awaitRunning(futures[0]!)
              yield* Deferred.succeed(started, undefined)
              // Returns normally: the close waits for tasks that never end, until interrupted.
            }),
            layer
          )
        )
        yield* bounded(Deferred.await(started), "the program's start")
        yield* bounded(Fiber.interrupt(fiber), "the interrupted close")
        for (const future of futures) expect(isCancelled(yield* Future.await(future))).toBe(true)
      })
  )
}

const registerCollecting = (test: Test) => {
  test("map streams the results in submission order", ({ bounded }) =>
    Effect.gen(function* () {
      const inputs = [succeed(1, 40), succeed(2, 0), succeed(3, 20), succeed(4, 0), succeed(5, 10)]
      const results = yield* bounded(Stream.runCollect(Executor.map(behave, inputs, { buffer: 3 })), "map")
      expect(results).toEqual([1, 2, 3, 4, 5])
    }))

  test("map fails with the first failure in submission order, after every result before it, and stops the rest", ({
    bounded
  }) =>
    Effect.gen(function* () {
      const emitted: Array<number> = []
      const inputs = [succeed(1), succeed(2), fail(30, 40), fail(40), hang, hang]
      const error = yield* bounded(
        Effect.flip(Stream.runForEach(Executor.map(behave, inputs), (value) => Effect.sync(() => emitted.push(value)))),
        "map with a failure (the tasks after it must be stopped)"
      )
      expect(emitted).toEqual([1, 2])
      expect(error).toBeInstanceOf(ConformanceError)
      expect((error as ConformanceError).code).toBe(30)
    }))

  test("map fails with TimeoutError when its timeout elapses", ({ bounded }) =>
    Effect.gen(function* () {
      const error = yield* bounded(
        Effect.flip(Stream.runDrain(Executor.map(behave, [succeed(1), hang], { timeout: "100 millis" }))),
        "map with a timeout"
      )
      expect(Cause.isTimeoutError(error)).toBe(true)
    }))

  /** A future that is done and one whose task runs (until interrupted). */
  const doneAndRunning = ({ awaitRunning, bounded, submit }: Tools) =>
    Effect.gen(function* () {
      const done = yield* submit(succeed(1))
      yield* bounded(Future.await(done), "a task")
      const running = yield* submit(hang)
      yield* awaitRunning(running)
      return { done, running }
    })
  /** Runs `asCompleted`, pushing what it yields to `order`. */
  const collect = (
    order: Array<Future.Future<number, unknown>>,
    futures: ReadonlyArray<Future.Future<number, unknown>>,
    options?: Future.AsCompletedOptions
  ) => Stream.runForEach(Future.asCompleted(futures, options), (future) => Effect.sync(() => order.push(future)))

  test("asCompleted yields in completion order, done futures first, each future once", (tools) =>
    Effect.gen(function* () {
      const { done, running } = yield* doneAndRunning(tools)
      const { bounded } = tools
      const order: Array<Future.Future<number, unknown>> = []
      const collecting = yield* Effect.forkChild(collect(order, [running, done, running, done]), {
        startImmediately: true
      })
      yield* bounded(Future.interrupt(running), "interrupt")
      yield* bounded(Fiber.join(collecting), "asCompleted")
      expect(order).toEqual([done, running])
    }))

  test("asCompleted fails with TimeoutError after yielding every future done in time", (tools) =>
    Effect.gen(function* () {
      const { done, running } = yield* doneAndRunning(tools)
      const { bounded } = tools
      const order: Array<Future.Future<number, unknown>> = []
      const error = yield* bounded(
        Effect.flip(collect(order, [running, done], { timeout: "100 millis" })),
        "asCompleted with a timeout"
      )
      expect(order).toEqual([done])
      expect(Cause.isTimeoutError(error)).toBe(true)
      yield* stopAll([running], bounded)
    }))

  test("wait returns by returnWhen, and on timeout the partial split without failing", ({
    awaitRunning,
    bounded,
    submit
  }) =>
    Effect.gen(function* () {
      const succeeded = yield* submit(succeed(1))
      const failed = yield* submit(fail(2))
      yield* bounded(Future.wait([succeeded, failed]), "wait(ALL_COMPLETED)")
      const running = yield* submit(hang)
      yield* awaitRunning(running)
      const first = yield* bounded(Future.wait([running, succeeded], { returnWhen: "FIRST_COMPLETED" }), "wait")
      expect([...first.done]).toEqual([succeeded])
      expect([...first.notDone]).toEqual([running])
      const exception = yield* bounded(Future.wait([running, failed], { returnWhen: "FIRST_EXCEPTION" }), "wait")
      expect([...exception.done]).toEqual([failed])
      const timedOut = yield* bounded(Future.wait([running, succeeded], { timeout: "50 millis" }), "wait")
      expect([...timedOut.done]).toEqual([succeeded])
      expect([...timedOut.notDone]).toEqual([running])
      // A cancellation is no exception: FIRST_EXCEPTION waits on.
      yield* bounded(Future.interrupt(running), "interrupt")
      const other = yield* submit(hang)
      const cancelledOnly = yield* bounded(
        Future.wait([running, other], { returnWhen: "FIRST_EXCEPTION", timeout: "50 millis" }),
        "wait"
      )
      expect([...cancelledOnly.done]).toEqual([running])
      expect([...cancelledOnly.notDone]).toEqual([other])
      yield* stopAll([other], bounded)
    }))
}

const registerStats = (test: Test) => {
  test("stats count the queued tasks and how every task ended", ({ bounded, occupyWorkers, submit }) =>
    Effect.gen(function* () {
      const executor = yield* Executor.Executor
      const ended = [succeed(1), succeed(2), fail(3), die("four")]
      const futures = yield* Effect.forEach(ended, submit)
      yield* bounded(Future.wait(futures), "the tasks")
      const hangs = yield* occupyWorkers
      const queued = yield* Effect.forEach([1, 2], (n) => submit(succeed(n)))
      const during = yield* Executor.stats
      expect(during.maxWorkers).toBe(executor.maxWorkers)
      expect(during.queued).toBe(2)
      expect(during.busy).toBeLessThanOrEqual(executor.maxWorkers)
      yield* Effect.forEach(queued, Future.cancel)
      yield* stopAll(hangs, bounded)
      const after = yield* Executor.stats
      expect({
        completed: after.completed,
        failed: after.failed,
        cancelled: after.cancelled,
        queued: after.queued
      }).toEqual({
        completed: 2,
        failed: 2,
        cancelled: 2 + hangs.length,
        queued: 0
      })
    }))
}
