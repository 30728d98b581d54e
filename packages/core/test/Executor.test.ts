import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Deferred, Effect, Exit, Fiber, Layer, Metric, Queue, Schema, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Executor, Future, FutureError, Task } from "@effect-futures/core"

class Greeting extends Context.Service<Greeting, { readonly hello: string }>()("test/Greeting") {}

const gate = () =>
  Effect.gen(function* () {
    const started = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    return {
      started,
      open: Deferred.succeed(release, undefined),
      task: <A>(value: A) =>
        Deferred.succeed(started, undefined).pipe(Effect.andThen(Deferred.await(release)), Effect.as(value))
    }
  })

/** Holds the JavaScript thread for `millis` (a synchronous task that takes that long); returns the time it took. */
const spin = (millis: number): number => {
  const start = performance.now()
  while (performance.now() - start < millis) {
    // busy: no await, no yield
  }
  return performance.now() - start
}

/**
 * A metric of the in-process executors (tagged `executor: "fiber"`), summed over their series, or only the
 * series of the executor named `name`: a counter's or histogram's count, a gauge's value.
 */
const fiberMetric = (snapshot: ReadonlyArray<Metric.Metric.Snapshot>, id: string, name?: string): number =>
  snapshot
    .filter(
      (metric) =>
        metric.id === id &&
        metric.attributes?.["executor"] === "fiber" &&
        (name === undefined || metric.attributes?.["executor_name"] === name)
    )
    .reduce((sum, metric) => {
      switch (metric.type) {
        case "Counter":
          return sum + Number(metric.state.count)
        case "Gauge":
          return sum + Number(metric.state.value)
        case "Histogram":
          return sum + metric.state.count
        default:
          return sum
      }
    }, 0)

/** The inputs 0 to 99, counting how many were pulled. */
const countedInputs = () => {
  const counted = {
    pulled: 0,
    inputs: {
      *[Symbol.iterator]() {
        for (let i = 0; i < 100; i++) {
          counted.pulled++
          yield i
        }
      }
    }
  }
  return counted
}

describe("Executor.submit", () => {
  it.effect("runs an Effect with the services of the fiber that submits it", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Greeting.use((greeting) => Effect.succeed(greeting.hello))).pipe(
        Effect.provideService(Greeting, { hello: "hi" })
      )
      assert.strictEqual(yield* Future.result(future), "hi")
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("runs a Task in process", () =>
    Effect.gen(function* () {
      const double = Task.make("double", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.succeed(n * 2)
      })
      const future = yield* Executor.submit(double, 21)
      assert.strictEqual(yield* Future.result(future), 42)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("the submitted task is not a child of the submitting fiber", () =>
    Effect.gen(function* () {
      const { open, task } = yield* gate()
      const future = yield* Effect.scoped(Executor.submit(task("outlived")))
      yield* open
      assert.strictEqual(yield* Future.result(future), "outlived")
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("layerFiber never runs more than maxWorkers tasks at once, under thousands of submissions", () =>
    Effect.gen(function* () {
      const maxWorkers = 7
      let running = 0
      let peak = 0
      let peakBusy = 0
      const task = (i: number) =>
        Effect.gen(function* () {
          running++
          peak = Math.max(peak, running)
          const { busy } = yield* Executor.stats
          peakBusy = Math.max(peakBusy, busy)
          yield* Effect.yieldNow
          if (i % 3 === 0) yield* Effect.yieldNow
          running--
          return i
        })
      const futures = yield* Effect.forEach(
        Array.from({ length: 3000 }, (_, i) => i),
        (i) => Executor.submit(task(i))
      )
      const afterSubmit = yield* Executor.stats
      const { done } = yield* Future.wait(futures)
      assert.strictEqual(done.size, 3000)
      assert.strictEqual(peak, maxWorkers)
      assert.isAtMost(peakBusy, maxWorkers)
      assert.strictEqual(afterSubmit.queued + afterSubmit.busy + afterSubmit.completed, 3000)
      assert.isAbove(afterSubmit.queued, 0)
      const stats = yield* Executor.stats
      assert.deepStrictEqual(
        { completed: stats.completed, failed: stats.failed, busy: stats.busy, queued: stats.queued },
        { completed: 3000, failed: 0, busy: 0, queued: 0 }
      )
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 7 })))
  )

  it.effect("a queued task starts in FIFO order when a worker frees up", () =>
    Effect.gen(function* () {
      const order: Array<number> = []
      const { started, open, task } = yield* gate()
      yield* Executor.submit(task(0))
      yield* Deferred.await(started)
      const futures = yield* Effect.forEach([1, 2, 3], (i) => Executor.submit(Effect.sync(() => order.push(i))))
      yield* open
      yield* Future.wait(futures)
      assert.deepStrictEqual(order, [1, 2, 3])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 1 })))
  )

  it.effect("stats are also Effect metrics", () =>
    Effect.gen(function* () {
      const before = yield* Metric.snapshot
      const futures = yield* Effect.forEach([1, 2, 3], (i) =>
        Executor.submit(i === 2 ? Effect.fail("no") : Effect.succeed(i))
      )
      yield* Future.wait(futures)
      const after = yield* Metric.snapshot
      // The metrics registry is global: compare the change.
      assert.strictEqual(
        fiberMetric(after, "effect_futures_completed") - fiberMetric(before, "effect_futures_completed"),
        2
      )
      assert.strictEqual(fiberMetric(after, "effect_futures_failed") - fiberMetric(before, "effect_futures_failed"), 1)
      // Executor.map counts the tasks that end at once in a batch: the metric is up to date when it ends.
      yield* Stream.runDrain(
        Executor.map(
          (i: number) => (i % 2 === 0 ? Effect.succeed(i) : Effect.sync(() => i)),
          Array.from({ length: 50 }, (_, i) => i)
        )
      )
      const afterMap = yield* Metric.snapshot
      assert.strictEqual(
        fiberMetric(afterMap, "effect_futures_completed") - fiberMetric(after, "effect_futures_completed"),
        50
      )
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("two executors keep separate metric series: named, or numbered by default", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const orders = yield* Layer.build(Executor.layerFiber({ maxWorkers: 4, name: "orders" }))
        const unnamed = yield* Layer.build(Executor.layerFiber({ maxWorkers: 4 }))
        const release = yield* Deferred.make<void>()
        const running = yield* Queue.unbounded<void>()
        const holdBusy = (count: number, context: Context.Context<Executor.LocalExecutor>) =>
          Effect.provideContext(
            Effect.forEach(Array.from({ length: count }), () =>
              Executor.submit(Effect.andThen(Queue.offer(running, undefined), Deferred.await(release)))
            ),
            context
          )
        yield* holdBusy(3, orders)
        yield* holdBusy(1, unnamed)
        // The tasks start after their submits returned: the gauges count them once all four run.
        yield* Queue.takeN(running, 4)
        const snapshot = yield* Metric.snapshot
        assert.strictEqual(fiberMetric(snapshot, "effect_futures_busy", "orders"), 3)
        const numbered = snapshot.filter(
          (metric) =>
            metric.id === "effect_futures_busy" &&
            /^fiber-\d+$/.test(String(metric.attributes?.["executor_name"])) &&
            metric.type === "Gauge" &&
            Number(metric.state.value) === 1
        )
        assert.strictEqual(numbered.length, 1)
        yield* Deferred.succeed(release, undefined)
      })
    )
  )

  it.effect("the run-time histogram counts every task with measureRunTime, and none without", () =>
    Effect.gen(function* () {
      const runs = Effect.map(Metric.snapshot, (snapshot) => fiberMetric(snapshot, "effect_futures_task_run_time"))
      const runThree = (measureRunTime: boolean) =>
        Effect.gen(function* () {
          const futures = yield* Effect.forEach([Effect.succeed(1), Effect.sync(() => 2), Effect.fail("no")], (task) =>
            Executor.submit(task)
          )
          yield* Future.wait(futures)
        }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2, measureRunTime })))
      const before = yield* runs
      yield* runThree(false)
      assert.strictEqual((yield* runs) - before, 0)
      yield* runThree(true)
      assert.strictEqual((yield* runs) - before, 3)
    })
  )

  it.effect("maxWorkers must be a positive integer", () =>
    Effect.gen(function* () {
      for (const maxWorkers of [0, -1, 1.5, Number.NaN]) {
        const exit = yield* Effect.exit(Effect.provide(Executor.stats, Executor.layerFiber({ maxWorkers })))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
        assert.match(
          String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)),
          /maxWorkers must be a positive integer/
        )
      }
    })
  )

  it.effect("the default maxWorkers is Python's min(32, cpus + 4)", () =>
    Effect.gen(function* () {
      const { maxWorkers } = yield* Executor.stats
      const cpus = navigator.hardwareConcurrency
      assert.strictEqual(maxWorkers, Math.min(32, cpus + 4))
    }).pipe(Effect.provide(Executor.layerFiber()))
  )
})

describe("layerFiber scheduling", () => {
  it.effect("submit returns a pending future when a worker is free, and the task runs once the submitter yields", () =>
    Effect.gen(function* () {
      const { started, open, task } = yield* gate()
      const free = yield* Executor.submit(Effect.succeed("soon"))
      assert.strictEqual(yield* Future.state(free), "pending") // even an Exit: the task is the worker's to run
      assert.strictEqual(yield* Future.result(free), "soon")
      const blocker = yield* Executor.submit(task("blocker"))
      yield* Deferred.await(started)
      const queued = yield* Executor.submit(Effect.succeed("later"))
      assert.strictEqual(yield* Future.state(queued), "pending")
      yield* open
      assert.strictEqual(yield* Future.result(queued), "later")
      assert.strictEqual(yield* Future.result(blocker), "blocker")
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 1 })))
  )

  it.live("submit returns before a synchronous task's body runs: its future is pending, not done", () =>
    Effect.gen(function* () {
      let ran = false
      const future = yield* Executor.submit(
        Effect.sync(() => {
          ran = true
          return spin(300)
        })
      )
      assert.isFalse(ran)
      assert.strictEqual(yield* Future.state(future), "pending")
      assert.isTrue((yield* Future.result(future)) >= 300)
      assert.isTrue(ran)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 4 })))
  )

  it.live("Future.result with a timeout right after submit fails with TimeoutError when the task takes longer", () =>
    Effect.gen(function* () {
      const future = yield* Executor.submit(Effect.sync(() => spin(300)))
      const exit = yield* Effect.exit(Future.result(future, { timeout: "50 millis" }))
      assert.isTrue(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof FutureError.TimeoutError)
      // The wait timed out; the future did not change: the task ran to its end.
      assert.isTrue((yield* Future.result(future)) >= 300)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 4 })))
  )

  it.effect(
    "cancel right after submit finds the future pending, with workers free: it is cancelled and never runs",
    () =>
      Effect.gen(function* () {
        let ran = false
        const future = yield* Executor.submit(Effect.sync(() => (ran = true)))
        assert.isTrue(yield* Future.cancel(future))
        assert.strictEqual(yield* Future.state(future), "cancelled")
        // A task submitted after it runs, and the executor drains: the cancelled one never started.
        assert.strictEqual(yield* Future.result(yield* Executor.submit(Effect.succeed("next"))), "next")
        yield* Executor.shutdown()
        assert.isFalse(ran)
        const stats = yield* Executor.stats
        assert.deepStrictEqual([stats.cancelled, stats.completed, stats.queued], [1, 1, 0])
      }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 4 })))
  )

  it.live("asCompleted yields synchronous tasks as they complete (in the order they ran), not in the order given", () =>
    Effect.gen(function* () {
      // One JavaScript thread runs one synchronous task at a time: the long one, submitted first, ends first.
      const long = yield* Executor.submit(Effect.sync(() => (spin(100), "long")))
      const short = yield* Executor.submit(Effect.sync(() => (spin(1), "short")))
      const order = yield* Future.asCompleted([short, long]).pipe(
        Stream.mapEffect((future) => Future.result(future)),
        Stream.runCollect
      )
      assert.deepStrictEqual(order, ["long", "short"])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 4 })))
  )

  it.effect("Executor.map calls the function when its task starts, as Effect.forEach does", () =>
    Effect.gen(function* () {
      const { started, open, task } = yield* gate()
      const called: Array<number> = []
      const fiber = yield* Executor.map(
        (i: number) => {
          called.push(i)
          return i === 0 ? task(i) : Effect.succeed(i)
        },
        [0, 1, 2],
        { buffer: 3 }
      ).pipe(Stream.runCollect, Effect.forkChild)
      yield* Deferred.await(started)
      assert.deepStrictEqual(called, [0]) // 1 and 2 are submitted, and queued behind 0
      yield* open
      assert.deepStrictEqual(yield* Fiber.join(fiber), [0, 1, 2])
      assert.deepStrictEqual(called, [0, 1, 2])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 1 })))
  )

  it.effect("a long queue of tasks that end at once lets other fibers run in between", () =>
    Effect.gen(function* () {
      const { started, open, task } = yield* gate()
      yield* Executor.submit(task("blocker"))
      yield* Deferred.await(started)
      let ran = 0
      const futures = yield* Effect.forEach(Array.from({ length: 1000 }), () =>
        Executor.submit(Effect.sync(() => ran++))
      )
      yield* open
      const seen = new Set<number>()
      while (ran < 1000) {
        seen.add(ran)
        yield* Effect.yieldNow
      }
      // This fiber saw the queue part-way through: the worker did not run all 1,000 in one go.
      assert.isTrue(
        [...seen].some((n) => n > 0 && n < 1000),
        `seen: ${[...seen].join(", ")}`
      )
      yield* Future.wait(futures)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 1 })))
  )

  it.effect("2,000 queued tasks that each wake a running task's end do not start inside one another", () =>
    Effect.gen(function* () {
      const n = 2000
      const signals = Array.from({ length: n }, () => Deferred.makeUnsafe<void>())
      // Every slot waits for its signal; each queued task sends one, and the end it causes frees the slot
      // that runs the next queued task: without a depth limit, each start happens inside the previous one.
      const waiting = yield* Effect.forEach(signals, (signal) => Executor.submit(Deferred.await(signal)))
      const signalling = yield* Effect.forEach(signals.slice(1), (signal) =>
        Executor.submit(Deferred.succeed(signal, undefined))
      )
      yield* Deferred.succeed(signals[0]!, undefined)
      yield* Future.wait([...waiting, ...signalling])
      const states = new Set([...waiting, ...signalling].map((future) => future.pipe(Future.state, Effect.runSync)))
      assert.deepStrictEqual([...states], ["succeeded"])
      const stats = yield* Executor.stats
      assert.deepStrictEqual([stats.completed, stats.failed, stats.busy], [2 * n - 1, 0, 0])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2000 })))
  )

  it.effect("Future.interrupt from code that a task's first step wakes up stops that task", () =>
    Effect.gen(function* () {
      const signal = yield* Future.make<void>()
      yield* Future.setRunning(signal)
      const { started, open, task } = yield* gate()
      yield* Executor.submit(task("blocker"))
      yield* Deferred.await(started)
      let finished = false
      const queued = yield* Executor.submit(
        Future.complete(signal, Exit.void).pipe(
          Effect.andThen(Effect.sleep("1 second")),
          Effect.andThen(Effect.sync(() => (finished = true)))
        )
      )
      // "First one done wins": whoever sees the signal stops the task that sent it.
      const stopper = yield* Effect.forkChild(Effect.andThen(Future.result(signal), Future.interrupt(queued)))
      yield* Effect.yieldNow
      yield* open
      assert.isTrue(yield* Fiber.join(stopper))
      assert.strictEqual(yield* Future.state(queued), "cancelled")
      yield* TestClock.adjust("1 second")
      assert.isFalse(finished)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 1 })))
  )

  it.effect("tasks that submit tasks 5,000 deep do not overflow the stack", () =>
    Effect.gen(function* () {
      const nest = (depth: number): Effect.Effect<number, unknown, Executor.LocalExecutor> =>
        depth === 0
          ? Effect.succeed(0)
          : Effect.flatMap(Executor.submit(Effect.suspend(() => nest(depth - 1))), (future) =>
              Effect.map(Future.result(future), (n) => n + 1)
            )
      assert.strictEqual(yield* nest(5000), 5000)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 10_000 })))
  )
})

describe("Executor.shutdown", () => {
  it.effect("submit after shutdown fails with ExecutorShutdownError", () =>
    Effect.gen(function* () {
      yield* Executor.shutdown()
      const error = yield* Effect.flip(Executor.submit(Effect.succeed(1)))
      assert.instanceOf(error, FutureError.ExecutorShutdownError)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("wait: true waits for running and queued work", () =>
    Effect.gen(function* () {
      const futures = yield* Effect.forEach([3, 1, 2, 5], (seconds) =>
        Executor.submit(Effect.succeed(seconds).pipe(Effect.delay(`${seconds} seconds`)))
      )
      const shutdown = yield* Effect.forkChild(Executor.shutdown({ wait: true }))
      yield* TestClock.adjust("7 seconds")
      assert.isUndefined(shutdown.pollUnsafe())
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(shutdown)
      for (const future of futures) assert.strictEqual(yield* Future.state(future), "succeeded")
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("wait: false returns at once and the work still ends", () =>
    Effect.gen(function* () {
      const { open, task } = yield* gate()
      const future = yield* Executor.submit(task("finished anyway"))
      yield* Executor.shutdown({ wait: false })
      assert.isFalse(yield* Future.done(future))
      yield* open
      assert.strictEqual(yield* Future.result(future), "finished anyway")
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 1 })))
  )

  it.effect("cancelFutures cancels the queued futures (callbacks run) and lets the running one finish", () =>
    Effect.gen(function* () {
      const { started, open, task } = yield* gate()
      const running = yield* Executor.submit(task("ran"))
      yield* Deferred.await(started)
      const queued = yield* Effect.forEach([1, 2, 3], (i) => Executor.submit(Effect.succeed(i)))
      const callbacks: Array<number> = []
      for (const future of queued) yield* Future.addDoneCallback(future, (done) => void callbacks.push(done.id))
      const shutdown = yield* Effect.forkChild(Executor.shutdown({ wait: true, cancelFutures: true }))
      yield* Effect.yieldNow
      for (const future of queued) assert.strictEqual(yield* Future.state(future), "cancelled")
      assert.deepStrictEqual(
        callbacks,
        queued.map((future) => future.id)
      )
      yield* open
      yield* Fiber.join(shutdown)
      assert.strictEqual(yield* Future.result(running), "ran")
      assert.strictEqual((yield* Executor.stats).cancelled, 3)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 1 })))
  )
})

describe("Executor scope", () => {
  it.effect("closing the Layer's scope normally waits for every task", () =>
    Effect.gen(function* () {
      let finished = 0
      const futures = yield* Effect.scoped(
        Effect.gen(function* () {
          const context = yield* Layer.build(Executor.layerFiber({ maxWorkers: 2 }))
          return yield* Effect.forEach([1, 2, 3, 4], (i) =>
            Executor.submit(Effect.sleep(`${i} seconds`).pipe(Effect.andThen(Effect.sync(() => finished++)))).pipe(
              Effect.provideContext(context)
            )
          )
        })
      ).pipe(Effect.forkChild)
      yield* TestClock.adjust("10 seconds")
      const submitted = yield* Fiber.join(futures)
      assert.strictEqual(finished, 4)
      for (const future of submitted) assert.strictEqual(yield* Future.state(future), "succeeded")
    })
  )

  it.effect("closing the scope by interruption cancels queued and interrupts running tasks; all end done", () =>
    Effect.gen(function* () {
      let finalizersRun = 0
      const submitted = yield* Deferred.make<ReadonlyArray<Future.Future<void>>>()
      const user = yield* Effect.gen(function* () {
        const futures = yield* Effect.forEach([1, 2, 3], () =>
          Executor.submit(Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => finalizersRun++))))
        )
        yield* Deferred.succeed(submitted, futures)
        return yield* Effect.never
      }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })), Effect.forkChild)
      const futures = yield* Deferred.await(submitted)
      yield* Effect.yieldNow
      yield* Fiber.interrupt(user)
      assert.strictEqual(finalizersRun, 2)
      assert.deepStrictEqual(yield* Effect.forEach(futures, Future.state), ["cancelled", "cancelled", "cancelled"])
    })
  )

  it.effect("a failing scope close also interrupts a task whose future was completed by hand", () =>
    Effect.gen(function* () {
      let finalized = false
      const exit = yield* Effect.scoped(
        Effect.gen(function* () {
          const context = yield* Layer.build(Executor.layerFiber({ maxWorkers: 2 }))
          const future = yield* Executor.submit(
            Effect.never.pipe(Effect.ensuring(Effect.sync(() => (finalized = true))))
          ).pipe(Effect.provideContext(context))
          yield* Effect.yieldNow
          yield* Future.complete(future, Exit.succeed(1))
          return yield* Effect.fail("the program failed")
        })
      ).pipe(Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      assert.isTrue(finalized)
    })
  )

  it.effect("no fiber of the pool outlives its scope", () =>
    Effect.gen(function* () {
      const started = yield* Deferred.make<void>()
      const submitted = yield* Deferred.make<Future.Future<never>>()
      let interrupted = false
      const exit = yield* Effect.scoped(
        Effect.gen(function* () {
          const context = yield* Layer.build(Executor.layerFiber({ maxWorkers: 1 }))
          const future = yield* Executor.submit(
            Deferred.succeed(started, undefined).pipe(
              Effect.andThen(Effect.never),
              Effect.onInterrupt(() => Effect.sync(() => (interrupted = true)))
            )
          ).pipe(Effect.provideContext(context))
          yield* Deferred.succeed(submitted, future)
          yield* Deferred.await(started)
          // A failing scope: the executor stops what runs instead of waiting forever.
          return yield* Effect.fail("the program failed")
        })
      ).pipe(Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      assert.isTrue(interrupted)
      assert.strictEqual(yield* Future.state(yield* Deferred.await(submitted)), "cancelled")
    })
  )
  it.effect(
    "an interruption during a normal close (a timeout around the program) cancels queued and interrupts running tasks, and the close returns",
    () =>
      Effect.gen(function* () {
        let finalized = false
        const left = yield* Deferred.make<{
          readonly executor: Executor.ExecutorShape
          readonly running: Future.Future<never>
          readonly queued: Future.Future<string>
        }>()
        const program = yield* Effect.gen(function* () {
          const running = yield* Executor.submit(
            Effect.never.pipe(Effect.ensuring(Effect.sync(() => (finalized = true))))
          )
          const queued = yield* Executor.submit(Effect.succeed("never started"))
          yield* Deferred.succeed(left, { executor: yield* Executor.Executor, running, queued })
          // The body ends here: the close waits for `running`, which never ends.
        }).pipe(
          Effect.provide(Executor.layerFiber({ maxWorkers: 1 })),
          Effect.timeout("1 second"),
          Effect.exit,
          Effect.forkChild
        )
        const { executor, queued, running } = yield* Deferred.await(left)
        yield* TestClock.adjust("999 millis")
        assert.isUndefined(program.pollUnsafe(), "the close waits for the running task until the timeout")
        yield* TestClock.adjust("1 millis")
        const exit = yield* Fiber.join(program)
        assert.isTrue(Exit.isFailure(exit) && Cause.isTimeoutError(Cause.squash(exit.cause)))
        assert.isTrue(finalized)
        assert.strictEqual(yield* Future.state(running), "cancelled")
        assert.strictEqual(yield* Future.state(queued), "cancelled")
        const stats = yield* executor.stats
        assert.deepStrictEqual([stats.workers, stats.busy, stats.queued, stats.cancelled], [0, 0, 0, 2])
      })
  )

  it.effect("shutdownTimeout: a normal close waits that long for the tasks, then cancels and interrupts them", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        Executor.layerFiber({ maxWorkers: 2, shutdownTimeout: "5 seconds" }),
        scope
      )
      const submit = <A>(effect: Effect.Effect<A>) => Executor.submit(effect).pipe(Effect.provideContext(context))
      const endsInTime = yield* submit(Effect.as(Effect.sleep("2 seconds"), "ended"))
      const neverEnds = yield* submit(Effect.never)
      const queued = yield* submit(Effect.succeed("never started"))
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("4999 millis")
      assert.isUndefined(closing.pollUnsafe(), "the close waits until shutdownTimeout")
      assert.strictEqual(yield* Future.result(endsInTime), "ended")
      // The queued task took the slot that freed up: only a task that waits past the timeout is stopped.
      assert.strictEqual(yield* Future.result(queued), "never started")
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(closing)
      assert.strictEqual(yield* Future.state(neverEnds), "cancelled")
      const stats = yield* Executor.stats.pipe(Effect.provideContext(context))
      assert.deepStrictEqual([stats.workers, stats.busy, stats.completed, stats.cancelled], [0, 0, 2, 1])
    })
  )
})

describe("Executor.map", () => {
  const provide = Effect.provide(Executor.layerFiber({ maxWorkers: 4 }))

  it.effect("yields results in submission order", () =>
    Effect.gen(function* () {
      const results = yield* Executor.map(
        (ms: number) => Effect.succeed(ms).pipe(Effect.delay(ms)),
        [30, 10, 20, 5]
      ).pipe(Stream.runCollect, Effect.forkChild)
      yield* TestClock.adjust(30)
      assert.deepStrictEqual(yield* Fiber.join(results), [30, 10, 20, 5])
    }).pipe(provide)
  )

  it.effect("pulls inputs lazily with at most `buffer` tasks in flight; an infinite iterable works", () =>
    Effect.gen(function* () {
      let pulled = 0
      let inFlight = 0
      let peak = 0
      function* naturals() {
        for (let i = 0; ; i++) {
          pulled++
          yield i
        }
      }
      const firstTen = yield* Executor.map(
        (i: number) =>
          Effect.sync(() => {
            inFlight++
            peak = Math.max(peak, inFlight)
          }).pipe(Effect.andThen(Effect.yieldNow), Effect.andThen(Effect.sync(() => inFlight--)), Effect.as(i * i)),
        naturals(),
        { buffer: 3 }
      ).pipe(Stream.take(10), Stream.runCollect)
      assert.deepStrictEqual(firstTen, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81])
      assert.isAtMost(peak, 3)
      assert.isAtMost(pulled, 10 + 3)
    }).pipe(provide)
  )

  it.effect(
    "the first failure in submission order fails the stream after the results before it, and cancels the rest",
    () =>
      Effect.gen(function* () {
        const started: Array<number> = []
        const interrupted: Array<number> = []
        const fiveStarted = yield* Deferred.make<void>()
        const task = (i: number) =>
          Effect.gen(function* () {
            started.push(i)
            if (i === 5) yield* Deferred.succeed(fiveStarted, undefined)
            if (i === 2) {
              yield* Effect.sleep(20)
              return yield* Effect.fail(`task ${i} failed`)
            }
            if (i === 3) {
              yield* Effect.yieldNow
              return yield* Effect.fail(`task ${i} failed`)
            }
            if (i >= 4) yield* Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted.push(i))))
            return i
          })
        const seen: Array<number> = []
        const fiber = yield* Executor.map(task, [0, 1, 2, 3, 4, 5, 6, 7, 8], { buffer: 6 }).pipe(
          Stream.runForEach((i) => Effect.sync(() => seen.push(i))),
          Effect.flip,
          Effect.forkChild
        )
        yield* Deferred.await(fiveStarted)
        yield* TestClock.adjust(20)
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error, "task 2 failed") // not task 3, which failed first in time
        assert.deepStrictEqual(seen, [0, 1])
        // 4 and 5 (and 6 if a worker freed up before the failure) were running: all interrupted, none finished.
        assert.deepStrictEqual(interrupted.sort(), started.filter((i) => i >= 4).sort())
        assert.includeMembers(interrupted, [4, 5])
        assert.notInclude(started, 8) // never pulled: at most `buffer` in flight
        const stats = yield* Executor.stats
        assert.strictEqual(stats.busy + stats.queued, 0)
      }).pipe(provide)
  )

  it.effect("interrupting the stream cancels pending and interrupts running tasks it submitted", () =>
    Effect.gen(function* () {
      let interrupted = 0
      const fiber = yield* Executor.map(
        () => Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++))),
        [1, 2, 3, 4, 5, 6],
        { buffer: 6 }
      ).pipe(Stream.runDrain, Effect.forkChild)
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(interrupted, 4)
      const stats = yield* Executor.stats
      assert.deepStrictEqual([stats.busy, stats.queued, stats.cancelled], [0, 0, 6])
    }).pipe(provide)
  )

  it.effect("the timeout counts from when the stream starts and fails it with TimeoutError", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const stream = Executor.map((s: number) => Effect.succeed(s).pipe(Effect.delay(`${s} seconds`)), [1, 2, 5], {
        timeout: "3 seconds"
      })
      yield* TestClock.adjust("10 seconds") // before the stream starts: not counted
      const fiber = yield* stream.pipe(
        Stream.runForEach((s) => Effect.sync(() => seen.push(s))),
        Effect.flip,
        Effect.forkChild
      )
      yield* TestClock.adjust("3 seconds")
      const error = yield* Fiber.join(fiber)
      assert.isTrue(Cause.isTimeoutError(error))
      assert.deepStrictEqual(seen, [1, 2])
    }).pipe(provide)
  )

  it.effect("a task that fails at once stops the pulling of inputs; the stream fails at its place", () =>
    Effect.gen(function* () {
      const counted = countedInputs()
      const seen: Array<number> = []
      const error = yield* Executor.map(
        (i: number) =>
          i === 3 ? Effect.fail("three") : i === 1 ? Effect.succeed(i).pipe(Effect.delay(10)) : Effect.sync(() => i),
        counted.inputs,
        { buffer: 8 }
      ).pipe(
        Stream.runForEach((i) => Effect.sync(() => seen.push(i))),
        Effect.flip,
        Effect.forkChild,
        Effect.tap(() => TestClock.adjust(10)),
        Effect.flatMap(Fiber.join)
      )
      assert.strictEqual(error, "three")
      assert.deepStrictEqual(seen, [0, 1, 2])
      assert.strictEqual(counted.pulled, 4)
      const stats = yield* Executor.stats
      assert.deepStrictEqual([stats.completed, stats.failed, stats.busy, stats.workers], [3, 1, 0, 0])
    }).pipe(provide)
  )

  it.effect("after shutdown the stream ends with ExecutorShutdownError, after every result submitted before", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const error = yield* Executor.map((i: number) => Effect.sync(() => i), [0, 1, 2, 3, 4, 5], { buffer: 2 }).pipe(
        Stream.runForEach((i) =>
          Effect.sync(() => seen.push(i)).pipe(Effect.andThen(i === 2 ? Executor.shutdown() : Effect.void))
        ),
        Effect.flip
      )
      assert.instanceOf(error, FutureError.ExecutorShutdownError)
      // 0 and 1 came in the first pull, 2 and 3 in the second, then the executor shut down.
      assert.deepStrictEqual(seen, [0, 1, 2, 3])
    }).pipe(provide)
  )

  it.effect("mixes tasks that are values, that end at once and that go on asynchronously, in order", () =>
    Effect.gen(function* () {
      const results = yield* Executor.map(
        (i: number) =>
          i % 3 === 0
            ? Effect.succeed(i)
            : i % 3 === 1
              ? Effect.sync(() => i)
              : Effect.succeed(i).pipe(Effect.delay(5 - (i % 5))),
        Array.from({ length: 30 }, (_, i) => i),
        { buffer: 5 }
      ).pipe(
        Stream.runCollect,
        Effect.forkChild,
        Effect.tap(() => TestClock.adjust(100)),
        Effect.flatMap(Fiber.join)
      )
      assert.deepStrictEqual(
        results,
        Array.from({ length: 30 }, (_, i) => i)
      )
      const stats = yield* Executor.stats
      assert.deepStrictEqual([stats.completed, stats.busy, stats.workers, stats.queued], [30, 0, 0, 0])
    }).pipe(provide)
  )

  it.effect("a function that throws is the task's defect", () =>
    Effect.gen(function* () {
      const exit = yield* Executor.map(
        (i: number) => {
          if (i === 1) throw new Error("boom")
          return Effect.succeed(i)
        },
        [0, 1, 2]
      ).pipe(Stream.runCollect, Effect.exit)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
    }).pipe(provide)
  )

  it.effect("maps nested in map tasks 1,000 deep do not overflow the stack, and the counts return to 0", () =>
    Effect.gen(function* () {
      const nest = (depth: number): Effect.Effect<number, unknown, Executor.Executor | Executor.LocalExecutor> =>
        depth === 0
          ? Effect.succeed(0)
          : Effect.map(Stream.runCollect(Executor.map((d: number) => nest(d), [depth - 1])), ([n]) => n! + 1)
      assert.strictEqual(yield* nest(1000), 1000)
      const stats = yield* Executor.stats
      assert.deepStrictEqual([stats.busy, stats.failed, stats.completed], [0, 0, 1000])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 100_000 })))
  )

  it.effect("the stats and the metrics agree after map's tasks submit tasks, and after the inputs throw", () =>
    Effect.gen(function* () {
      const completedBefore = fiberMetric(yield* Metric.snapshot, "effect_futures_completed", "agree")
      const cancelledBefore = fiberMetric(yield* Metric.snapshot, "effect_futures_cancelled", "agree")
      const submitted: Array<Future.Future<number>> = []
      yield* Stream.runDrain(
        Executor.map(
          (i: number) => Effect.map(Executor.submit(Effect.succeed(i)), (f) => void submitted.push(f)),
          [1, 2, 3]
        )
      )
      // The tasks that map's tasks submitted run after those ended.
      yield* Future.wait(submitted)
      function* throwsAfterThree() {
        yield 1
        yield 2
        yield 3
        throw new Error("the inputs broke")
      }
      const exit = yield* Effect.exit(
        Stream.runDrain(Executor.map((i: number) => Effect.succeed(i), throwsAfterThree()))
      )
      assert.isTrue(Exit.isFailure(exit))
      const stats = yield* Executor.stats
      const snapshot = yield* Metric.snapshot
      assert.deepStrictEqual(
        [
          fiberMetric(snapshot, "effect_futures_workers", "agree"),
          fiberMetric(snapshot, "effect_futures_busy", "agree")
        ],
        [stats.workers, stats.busy]
      )
      // The registry is global: compare the change.
      assert.strictEqual(fiberMetric(snapshot, "effect_futures_completed", "agree") - completedBefore, stats.completed)
      assert.strictEqual(fiberMetric(snapshot, "effect_futures_cancelled", "agree") - cancelledBefore, stats.cancelled)
      // Each of the 9 tasks counted once: the second map's may still wait for a worker when its inputs throw, and
      // are then cancelled with the stream.
      assert.strictEqual(stats.completed + stats.cancelled, 9)
      assert.isTrue(stats.completed >= 6)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 4, name: "agree" })))
  )

  it.effect("works with an executor whose submit is an Effect that is already its future (an Exit)", () =>
    Effect.gen(function* () {
      // A third-party executor that runs each task to its end inside submit.
      const runInline = <A, E>(effect: Effect.Effect<A, E>): Future.Future<A, E> =>
        Effect.runSync(
          Effect.gen(function* () {
            const future = yield* Future.make<A, E>()
            yield* Future.setRunning(future)
            yield* Future.complete(future, yield* Effect.exit(effect))
            return future
          }).pipe(Effect.orDie)
        )
      const inline: Executor.ExecutorShape = {
        maxWorkers: 1,
        submitTask: (task, input) => Effect.succeed(runInline(task.run(input))),
        submitChunk: (task, inputs) =>
          Effect.succeed(runInline(Effect.forEach(inputs, (i) => Effect.exit(task.run(i))))),
        shutdown: () => Effect.void,
        stats: Effect.die("not kept")
      }
      const local: Executor.LocalExecutorShape = { submit: (effect) => Effect.succeed(runInline(effect)) }
      const double = Task.make("double", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.succeed(2 * n)
      })
      const results = yield* Effect.all([
        Stream.runCollect(Executor.map(double, [1, 2, 3])),
        Stream.runCollect(Executor.map(double, [1, 2, 3], { chunkSize: 2 })),
        Stream.runCollect(Executor.map((n: number) => Effect.succeed(2 * n), [1, 2, 3]))
      ]).pipe(
        Effect.provideContext(Context.make(Executor.Executor, inline).pipe(Context.add(Executor.LocalExecutor, local)))
      )
      assert.deepStrictEqual(results, [
        [2, 4, 6],
        [2, 4, 6],
        [2, 4, 6]
      ])
      // An executor without submitChunk (the contract's shape) still maps with a chunkSize, input by input.
      const { submitChunk: _, ...withoutChunks } = inline
      const unchunked = yield* Stream.runCollect(Executor.map(double, [1, 2, 3], { chunkSize: 2 })).pipe(
        Effect.provideService(Executor.Executor, withoutChunks)
      )
      assert.deepStrictEqual(unchunked, [2, 4, 6])
    })
  )

  it.effect("a shutdown that a map task's code starts returns once that task has ended", () =>
    Effect.gen(function* () {
      const signal = yield* Deferred.make<void>()
      // Resumed inside the task's own first step, while the task still holds its worker.
      const shutdown = yield* Effect.forkChild(Effect.andThen(Deferred.await(signal), Executor.shutdown()))
      yield* Effect.yieldNow
      yield* Stream.runDrain(Executor.map(() => Effect.sync(() => Deferred.doneUnsafe(signal, Exit.void)), [1]))
      yield* Fiber.join(shutdown)
      const stats = yield* Executor.stats
      assert.deepStrictEqual([stats.workers, stats.completed], [0, 1])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 4 })))
  )

  it.effect("the default buffer is twice the executor's workers", () =>
    Effect.gen(function* () {
      const counted = countedInputs()
      yield* Executor.map((i: number) => Effect.succeed(i), counted.inputs).pipe(Stream.take(1), Stream.runDrain)
      assert.strictEqual(counted.pulled, 8)
      // Tasks that end at once are not in flight, but their results waiting to go out count too.
      counted.pulled = 0
      yield* Executor.map((i: number) => Effect.sync(() => i), counted.inputs).pipe(Stream.take(1), Stream.runDrain)
      assert.strictEqual(counted.pulled, 8)
    }).pipe(provide)
  )

  it.effect("maps a Task over the inputs", () =>
    Effect.gen(function* () {
      const square = Task.make("square", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n) => Effect.succeed(n * n)
      })
      assert.deepStrictEqual(yield* Stream.runCollect(Executor.map(square, [1, 2, 3])), [1, 4, 9])
    }).pipe(provide)
  )
})

describe("map's per-task options on a plain function", () => {
  it.effect("retry retries only what its policy names: by default nothing (no worker can crash in-process)", () =>
    Effect.gen(function* () {
      let calls = 0
      const failing = (n: number) => Effect.suspend(() => (calls++, Effect.fail(`failed ${n}`)))
      const byDefault = yield* Effect.flip(Stream.runCollect(Executor.map(failing, [1], { retry: { times: 2 } })))
      assert.deepStrictEqual([byDefault, calls], ["failed 1", 1])
      calls = 0
      const named = yield* Effect.flip(
        Stream.runCollect(Executor.map(failing, [1], { retry: { times: 2, while: (error) => error !== "" } }))
      )
      assert.deepStrictEqual([named, calls], ["failed 1", 3])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("taskTimeout stops each task after its duration, on the test clock", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Stream.runCollect(Executor.map(() => Effect.never, [1], { taskTimeout: "1 second" })).pipe(Effect.flip)
      )
      yield* TestClock.adjust("1 second")
      assert.instanceOf(yield* Fiber.join(fiber), FutureError.TimeoutError)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("a submit timeout of 0 on the test clock interrupts the task: its slot is free and the scope closes", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(Executor.layerFiber({ maxWorkers: 1 }), scope)
      const forever = Task.make("forever", { payload: Schema.Number, success: Schema.Number, run: () => Effect.never })
      const future = yield* Executor.submit(forever, 1, { timeout: 0 }).pipe(Effect.provideContext(context))
      assert.instanceOf(yield* Effect.flip(Future.result(future)), FutureError.TimeoutError)
      yield* TestClock.adjust(0)
      const stats = yield* Executor.stats.pipe(Effect.provideContext(context))
      assert.deepStrictEqual([stats.busy, stats.queued], [0, 0])
      yield* Scope.close(scope, Exit.interrupt())
    })
  )

  it.live("taskTimeout is a deadline for a function too: a synchronous call that overruns it fails the stream", () =>
    Effect.gen(function* () {
      const spin = (millis: number) =>
        Effect.sync(() => {
          const end = Date.now() + millis
          while (Date.now() < end);
          return millis
        })
      const overran = yield* Stream.runCollect(Executor.map(spin, [200], { taskTimeout: "50 millis" })).pipe(
        Effect.flip
      )
      assert.instanceOf(overran, FutureError.TimeoutError)
      for (const taskTimeout of [0, -1] as const) {
        const error = yield* Stream.runCollect(Executor.map(spin, [1], { taskTimeout })).pipe(Effect.flip)
        assert.instanceOf(error, FutureError.TimeoutError, `taskTimeout ${taskTimeout}`)
      }
      assert.deepStrictEqual(yield* Stream.runCollect(Executor.map(spin, [1], { taskTimeout: "1 minute" })), [1])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )
})

describe("a closure given to an executor that runs only Tasks", () => {
  // The shape of a worker pool: Executor, and no LocalExecutor.
  const taskOnly: Executor.ExecutorShape = {
    maxWorkers: 1,
    submitTask: () => Effect.die("not used"),
    shutdown: () => Effect.void,
    stats: Effect.die("not kept")
  }

  /** A program as a JavaScript caller (or a cast) sends it: the types would refuse it without LocalExecutor. */
  const untyped = (effect: Effect.Effect<unknown, unknown, any>) =>
    effect as Effect.Effect<unknown, unknown, Executor.Executor>

  /** The defect an effect dies with, which must be an IllegalArgumentError. */
  const defectOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.map(Effect.exit(effect), (exit) => {
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), "expected a defect")
      const defect = Cause.squash((exit as Exit.Failure<A, E>).cause)
      assert.instanceOf(defect, Cause.IllegalArgumentError)
      return (defect as Cause.IllegalArgumentError).message
    })

  const saysUseATask = (message: string, operation: string, given: string) => {
    assert.include(message, `${operation}: ${given} was given where a Task is needed`)
    assert.include(message, `Task.fromFunction("name", fn)`)
    assert.include(message, "Executor.layerFiber")
  }

  it.effect("map with a function dies with an IllegalArgumentError that shows Task.fromFunction", () =>
    Effect.gen(function* () {
      const message = yield* defectOf(
        untyped(Stream.runCollect(Executor.map((n: number) => Effect.succeed(2 * n), [1, 2, 3])))
      )
      saysUseATask(message, "Executor.map", "a function")
      const zipped = yield* defectOf(
        untyped(
          Stream.runCollect(
            Executor.mapZip((a: number, b: number) => Effect.succeed(a + b), [[1], [2]], { taskTimeout: "1 second" })
          )
        )
      )
      saysUseATask(zipped, "Executor.map", "a function")
    }).pipe(Effect.provideService(Executor.Executor, taskOnly))
  )

  it.effect("submit of an Effect and runInExecutor of a function die the same way", () =>
    Effect.gen(function* () {
      const submitted = yield* defectOf(untyped(Executor.submit(Effect.succeed(1))))
      saysUseATask(submitted, "Executor.submit", "an Effect")
      const ran = yield* defectOf(untyped(Executor.runInExecutor((n: number) => n * 2, 3)))
      saysUseATask(ran, "Executor.runInExecutor", "a function")
    }).pipe(Effect.provideService(Executor.Executor, taskOnly))
  )

  it.effect("submit of a value that is neither a Task nor an Effect dies with an IllegalArgumentError naming it", () =>
    Effect.gen(function* () {
      const submitAny = Executor.submit as unknown as (
        value: unknown,
        input?: unknown
      ) => Effect.Effect<unknown, unknown, Executor.Executor | Executor.LocalExecutor>
      const onFiber = yield* defectOf(submitAny((x: number) => x * 2, 3).pipe(Effect.provide(Executor.layerFiber())))
      assert.include(onFiber, "Executor.submit: expected a Task and its input, or an Effect, got a function")
      assert.include(onFiber, "Executor.runInExecutor(fn, ...args)")
      assert.include(onFiber, `Task.fromFunction("name", fn)`)
      const onPool = yield* defectOf(
        submitAny(function double(x: number) {
          return x * 2
        }, 3).pipe(Effect.provideService(Executor.Executor, taskOnly)) as Effect.Effect<unknown, unknown>
      )
      assert.include(onPool, "got a function (double)")
    })
  )
})
