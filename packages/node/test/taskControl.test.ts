/**
 * Per-task control and tracing on all three executors: `timeout` stops the task (in its worker too),
 * `retry` submits it again, `Future.result`'s `interrupt` stops it on a wait's timeout, and each task gets a span
 * in the caller's trace, with the spans it makes in a worker replayed there.
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, type Duration, Effect, Exit, Layer, Option, Schedule, Stream, Tracer } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeExecutor } from "../src/index.ts"
import * as Tasks from "./fixtures/control.tasks.ts"
import { TIMEOUT } from "./fixtures/pools.ts"

const module = new URL("./fixtures/control.tasks.ts", import.meta.url)

interface Options {
  readonly tracing?: boolean
  /** Pools only. */
  readonly interruptGracePeriod?: Duration.Input
}

/** Longer than the synchronous tasks below: a deadline must not wait for the worker to be killed. */
const longGrace: Options = { interruptGracePeriod: "3 seconds" }

const executors = [
  {
    name: "fiber",
    executorName: "control-fiber",
    inWorker: false,
    layer: (options: Options = {}) => Executor.layerFiber({ maxWorkers: 1, name: "control-fiber", ...options })
  },
  {
    name: "worker threads",
    executorName: "control-threads",
    inWorker: true,
    layer: (options: Options = {}) =>
      NodeExecutor.layerWorkerThreads({
        module,
        maxWorkers: 1,
        interruptGracePeriod: "300 millis",
        name: "control-threads",
        ...options
      })
  },
  {
    name: "child processes",
    executorName: "control-processes",
    inWorker: true,
    layer: (options: Options = {}) =>
      NodeExecutor.layerChildProcesses({
        module,
        maxWorkers: 1,
        interruptGracePeriod: "300 millis",
        name: "control-processes",
        ...options
      })
  }
] as const

const pools = executors.filter((executor) => executor.inWorker)

/** A file of this test's own, removed afterwards. */
const withTempFile = <A, E, R>(use: (path: string) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "effect-futures-control-"))),
    (dir) => use(join(dir, "attempts")),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

const attemptsIn = (path: string): number => (existsSync(path) ? readFileSync(path, "utf8").split("\n").length - 1 : 0)

/** A clock that counts the sleeps going on: a timer left behind by a future shows here. */
const countingClock = () => {
  let sleeping = 0
  const layer = Layer.effect(
    Clock.Clock,
    Clock.clockWith((base) =>
      Effect.succeed<Clock.Clock>({
        currentTimeMillisUnsafe: () => base.currentTimeMillisUnsafe(),
        currentTimeMillis: base.currentTimeMillis,
        currentTimeNanosUnsafe: () => base.currentTimeNanosUnsafe(),
        currentTimeNanos: base.currentTimeNanos,
        monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
        monotonicTimeNanos: base.monotonicTimeNanos,
        sleep: (duration) =>
          Effect.acquireUseRelease(
            Effect.sync(() => sleeping++),
            () => base.sleep(duration),
            () => Effect.sync(() => sleeping--)
          )
      })
    )
  )
  return { layer, sleeping: () => sleeping }
}

/** A tracer that keeps every span it makes. */
const memoryTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { tracer, spans }
}

const named = (spans: ReadonlyArray<Tracer.NativeSpan>, name: string) => {
  const found = spans.filter((span) => span.name === name)
  assert.lengthOf(found, 1, `one span named ${name}`)
  return found[0]!
}

const parentOf = (span: Tracer.Span) => Option.getOrUndefined(span.parent)

const millisOf = (span: Tracer.Span): number => {
  assert.strictEqual(span.status._tag, "Ended", `${span.name} ended`)
  const status = span.status as Extract<Tracer.SpanStatus, { _tag: "Ended" }>
  return Number(status.endTime - status.startTime) / 1e6
}

describe.each(executors)("$name", ({ executorName, inWorker, layer }) => {
  it.live(
    "a task past its timeout is interrupted where it runs (its finalizer runs) and fails with TimeoutError",
    () =>
      Effect.gen(function* () {
        const before = yield* Future.result(yield* Executor.submit(Tasks.finalizerCount, undefined))
        const future = yield* Executor.submit(Tasks.sleepForever, undefined, { timeout: "200 millis", id: "order-7" })
        const error = yield* Effect.flip(Future.result(future))
        assert.instanceOf(error, FutureError.TimeoutError)
        assert.include(error.message, "sleepForever")
        assert.include(error.message, "order-7")
        assert.strictEqual(yield* Future.state(future), "failed")
        const after = yield* Future.result(yield* Executor.submit(Tasks.finalizerCount, undefined))
        assert.strictEqual(after, before + 1)
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "a submit timeout is a deadline: a synchronous task that overruns it fails with TimeoutError, its late result dropped",
    () =>
      Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.busyLoop, 1_000, { timeout: "200 millis", id: "spin-1" })
        const exit = yield* Future.await(future)
        assert.isTrue(Exit.isFailure(exit), `expected TimeoutError, got ${String(exit)}`)
        const error = yield* Effect.flip(Future.result(future))
        assert.instanceOf(error, FutureError.TimeoutError)
        assert.include(error.message, "spin-1")
        // The executor serves the next task as before.
        assert.strictEqual(yield* Future.result(yield* Executor.submit(Tasks.sleep, 1)), 1)
      }).pipe(Effect.provide(layer(inWorker ? longGrace : {}))),
    TIMEOUT
  )

  it.live(
    "a submit timeout of 0 or below fails with TimeoutError at once, as Future.result's does",
    () =>
      Effect.gen(function* () {
        for (const timeout of [0, -1, "0 millis"] as const) {
          const quick = yield* Executor.submit(Tasks.sleep, 1, { timeout })
          assert.instanceOf(yield* Effect.flip(Future.result(quick)), FutureError.TimeoutError, `timeout ${timeout}`)
          const forever = yield* Executor.submit(Tasks.sleepForever, undefined, { timeout })
          assert.instanceOf(yield* Effect.flip(Future.result(forever)), FutureError.TimeoutError, `timeout ${timeout}`)
          // Synchronous: it cannot be interrupted, and it would answer long before its worker's grace period ends.
          const spin = yield* Executor.submit(Tasks.busyLoop, 50, { timeout })
          assert.instanceOf(yield* Effect.flip(Future.result(spin)), FutureError.TimeoutError, `timeout ${timeout}`)
        }
        assert.strictEqual(yield* Future.result(yield* Executor.submit(Tasks.sleep, 1)), 1)
      }).pipe(Effect.provide(layer(inWorker ? longGrace : {}))),
    TIMEOUT
  )

  it.live(
    "no timer outlives its future: tasks that end in time, time out, or are retried leave no sleep behind",
    () => {
      const clock = countingClock()
      return withTempFile((path) =>
        Effect.gen(function* () {
          const quick = yield* Executor.submit(Tasks.whoAmI, undefined, { timeout: "1 minute" })
          yield* Future.result(quick)
          const slow = yield* Executor.submit(Tasks.sleepForever, undefined, { timeout: "100 millis" })
          yield* Future.await(slow)
          const retried = yield* Executor.submit(Tasks.failOnce, path, {
            timeout: "1 minute",
            retry: { schedule: Schedule.spaced("10 millis"), while: () => true }
          })
          assert.strictEqual(yield* Future.result(retried), 2)
          yield* Effect.sleep("20 millis")
          assert.strictEqual(clock.sleeping(), 0)
        }).pipe(Effect.provide(layer()))
      ).pipe(Effect.provide(clock.layer))
    },
    TIMEOUT
  )

  it.live(
    "Future.result with interrupt: true stops the task on a timeout; without it the task goes on",
    () =>
      Effect.gen(function* () {
        const waitedOnly = yield* Executor.submit(Tasks.sleepForever, undefined)
        const left = yield* Effect.flip(Future.result(waitedOnly, { timeout: "50 millis" }))
        assert.instanceOf(left, FutureError.TimeoutError)
        assert.strictEqual(yield* Future.state(waitedOnly), "running")
        yield* Future.interrupt(waitedOnly)

        const stopped = yield* Executor.submit(Tasks.sleepForever, undefined)
        const error = yield* Effect.flip(Future.result(stopped, { timeout: "50 millis", interrupt: true }))
        assert.instanceOf(error, FutureError.TimeoutError)
        assert.strictEqual(yield* Future.state(stopped), "cancelled")
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "retry runs a fresh attempt after a failure its policy accepts, and the future is running in between",
    () =>
      withTempFile((path) =>
        Effect.gen(function* () {
          const future = yield* Executor.submit(Tasks.failOnce, path, {
            retry: { schedule: Schedule.spaced("300 millis"), while: (error) => error._tag === "AttemptFailed" }
          })
          yield* Effect.sleep("150 millis")
          assert.strictEqual(yield* Future.state(future), "running")
          assert.strictEqual(yield* Future.result(future), 2)
          assert.strictEqual(attemptsIn(path), 2)
        }).pipe(Effect.provide(layer()))
      ),
    TIMEOUT
  )

  it.live(
    "by default a task's own error is not retried; an exhausted retry fails with the last attempt's error",
    () =>
      Effect.gen(function* () {
        yield* withTempFile((path) =>
          Effect.gen(function* () {
            const once = yield* Executor.submit(Tasks.failCounting, path, { retry: { times: 3 } })
            const error = yield* Effect.flip(Future.result(once))
            assert.deepStrictEqual(error, new Tasks.AttemptFailed({ attempt: 1 }))
          })
        )
        yield* withTempFile((path) =>
          Effect.gen(function* () {
            const exhausted = yield* Executor.submit(Tasks.failCounting, path, {
              retry: { times: 2, while: () => true }
            })
            const error = yield* Effect.flip(Future.result(exhausted))
            assert.instanceOf(error, Tasks.AttemptFailed)
            assert.strictEqual((error as Tasks.AttemptFailed).attempt, 3)
          })
        )
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "cancel between two attempts ends the retried future cancelled, and no attempt follows",
    () => {
      const clock = countingClock()
      return withTempFile((path) =>
        Effect.gen(function* () {
          const future = yield* Executor.submit(Tasks.failCounting, path, {
            retry: { schedule: Schedule.spaced("1 minute"), while: () => true }
          })
          while (!(yield* Effect.sync(() => attemptsIn(path) === 1))) yield* Effect.sleep("10 millis")
          yield* Effect.sleep("50 millis")
          assert.strictEqual(yield* Future.state(future), "running")
          assert.isTrue(yield* Future.cancel(future))
          assert.strictEqual(yield* Future.state(future), "cancelled")
          assert.instanceOf(yield* Effect.flip(Future.result(future)), FutureError.CancelledError)
          assert.strictEqual(attemptsIn(path), 1)
          assert.strictEqual(clock.sleeping(), 0)
        }).pipe(Effect.provide(layer()))
      ).pipe(Effect.provide(clock.layer))
    },
    TIMEOUT
  )

  it.live(
    "a retried future waiting for its next attempt ends with its last attempt's error when the executor's scope closes",
    () =>
      withTempFile((path) =>
        Effect.gen(function* () {
          const future = yield* Effect.scoped(
            Effect.gen(function* () {
              const context = yield* Layer.build(layer())
              const future = yield* Executor.submit(Tasks.failCounting, path, {
                retry: { schedule: Schedule.spaced("1 minute"), while: () => true }
              }).pipe(Effect.provideContext(context))
              while (!(yield* Effect.sync(() => attemptsIn(path) === 1))) yield* Effect.sleep("10 millis")
              yield* Effect.sleep("50 millis")
              return future
            })
          )
          assert.strictEqual(yield* Future.state(future), "failed")
          assert.deepStrictEqual(yield* Effect.flip(Future.result(future)), new Tasks.AttemptFailed({ attempt: 1 }))
        })
      ),
    TIMEOUT
  )

  it.live(
    "a retried future cancelled while its first attempt waits in the queue never runs it",
    () =>
      withTempFile((path) =>
        Effect.gen(function* () {
          const blocker = yield* Executor.submit(Tasks.sleepForever, undefined)
          const future = yield* Executor.submit(Tasks.failCounting, path, { retry: { times: 2, while: () => true } })
          assert.isTrue(yield* Future.cancel(future))
          assert.strictEqual(yield* Future.state(future), "cancelled")
          yield* Future.interrupt(blocker)
          yield* Future.result(yield* Executor.submit(Tasks.whoAmI, undefined))
          yield* Effect.sleep("100 millis")
          assert.strictEqual(attemptsIn(path), 0)
        }).pipe(Effect.provide(layer()))
      ),
    TIMEOUT
  )

  it.live(
    "a task's timeout counts from its own start, not from when it was queued or handed out",
    () =>
      Effect.gen(function* () {
        yield* Future.result(yield* Executor.submit(Tasks.whoAmI, undefined))
        const futures = yield* Effect.forEach(Array.from({ length: 8 }), () =>
          Executor.submit(Tasks.sleep, 100, { timeout: "450 millis" })
        )
        const exits = yield* Effect.forEach(futures, Future.await)
        assert.deepStrictEqual(
          exits.map((exit) => exit._tag),
          exits.map(() => "Success")
        )
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "span attributes with no plain form never change a traced task's outcome",
    () =>
      Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.oddAttributes, undefined).pipe(Effect.withSpan("request"))
        assert.strictEqual(yield* Future.result(future), "fine")
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "map's taskTimeout stops each task and fails the stream with TimeoutError; its retry retries each task",
    () =>
      withTempFile((path) =>
        Effect.gen(function* () {
          const timedOut = yield* Effect.flip(
            Executor.map(Tasks.sleepForever, [undefined], { taskTimeout: "100 millis" }).pipe(Stream.runCollect)
          )
          assert.instanceOf(timedOut, FutureError.TimeoutError)
          const retried = yield* Executor.map(Tasks.failOnce, [path], { retry: { times: 1, while: () => true } }).pipe(
            Stream.runCollect
          )
          assert.deepStrictEqual(Array.from(retried), [2])
        }).pipe(Effect.provide(layer()))
      ),
    TIMEOUT
  )

  it.live(
    "a timeout that is not a duration is a defect at submit",
    () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(Executor.submit(Tasks.whoAmI, undefined, { timeout: "soon" as never }))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "a task's span is a child of the submitter's, in one trace; spans made in the task are its children",
    () => {
      const { tracer, spans } = memoryTracer()
      return Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.traced, 100).pipe(Effect.withSpan("request"))
        assert.strictEqual(yield* Future.result(future), 100)
        const request = named(spans, "request")
        const task = named(spans, "effect_futures.task traced")
        const inner = named(spans, "inner")
        for (const span of spans) assert.strictEqual(span.traceId, request.traceId, `${span.name} is in the trace`)
        assert.strictEqual(parentOf(task)?.spanId, request.spanId)
        assert.strictEqual(task.attributes.get("task.name"), "traced")
        assert.strictEqual(task.attributes.get("task.outcome"), "succeeded")
        assert.strictEqual(task.attributes.get("executor.name"), executorName)
        assert.strictEqual(task.events.map(([event]) => event)[0], "started")
        assert.strictEqual(inner.attributes.get("millis"), 100)
        if (inWorker) {
          // In the worker: task span → the worker's run span → inner, replayed into this tracer.
          const run = named(spans, "effect_futures.run traced")
          assert.strictEqual(parentOf(run)?.spanId, task.spanId)
          assert.strictEqual(parentOf(inner)?.spanId, run.spanId)
          assert.isNumber(task.events[0]![2]["worker.id"])
          assert.isNumber(run.attributes.get("worker.pid"))
        } else {
          assert.strictEqual(parentOf(inner)?.spanId, task.spanId)
        }
        // The inner span lasts its 100 ms of sleep, in the worker's time, not the task's 300 ms nor the round trip.
        // Sleeps end late under load, never early: the task span holds the 200 ms after the inner span too.
        assert.isAtLeast(millisOf(inner), 95)
        assert.isAtLeast(millisOf(task) - millisOf(inner), 195)
      }).pipe(Effect.provide(layer()), Effect.provideService(Tracer.Tracer, tracer))
    },
    TIMEOUT
  )

  it.live(
    "tracing: false makes no span for a task, and a fiber with no span gets none",
    () => {
      const { tracer, spans } = memoryTracer()
      return Effect.gen(function* () {
        yield* Future.result(yield* Executor.submit(Tasks.whoAmI, undefined))
        assert.lengthOf(spans, 0)
        yield* Effect.gen(function* () {
          yield* Future.result(yield* Executor.submit(Tasks.traced, 10))
        }).pipe(Effect.withSpan("request"), Effect.provide(layer({ tracing: false })))
        assert.deepStrictEqual(
          spans.map((span) => span.name),
          inWorker ? ["request"] : ["request", "inner"]
        )
      }).pipe(Effect.provide(layer()), Effect.provideService(Tracer.Tracer, tracer))
    },
    TIMEOUT
  )
})

describe.each(pools)("$name", ({ layer }) => {
  it.live(
    "a synchronous task past its timeout and the grace period is killed with its worker, which is replaced",
    () =>
      Effect.gen(function* () {
        const before = yield* Future.result(yield* Executor.submit(Tasks.whoAmI, undefined))
        const started = performance.now()
        const future = yield* Executor.submit(Tasks.busyLoop, 30_000, { timeout: "200 millis" })
        const error = yield* Effect.flip(Future.result(future))
        assert.instanceOf(error, FutureError.TimeoutError)
        assert.isBelow(performance.now() - started, 15_000)
        const after = yield* Future.result(yield* Executor.submit(Tasks.whoAmI, undefined))
        assert.notDeepEqual(after, before)
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "at its deadline a synchronous task's future fails at once, not when its worker is killed or answers",
    () =>
      Effect.gen(function* () {
        const started = performance.now()
        const future = yield* Executor.submit(Tasks.busyLoop, 5_000, { timeout: "200 millis" })
        const error = yield* Effect.flip(Future.result(future))
        assert.instanceOf(error, FutureError.TimeoutError)
        // The loop runs 5 s and the grace period 3 s: ending long before either shows the deadline won.
        assert.isBelow(performance.now() - started, 2_000)
      }).pipe(Effect.provide(layer(longGrace))),
    TIMEOUT
  )

  it.live(
    "after a deadline the worker's slot stays taken until the worker is free: the next task waits queued",
    () =>
      Effect.gen(function* () {
        // One worker: the timed-out task's loop goes on until the grace period kills the worker.
        const overrun = yield* Executor.submit(Tasks.busyLoop, 5_000, { timeout: "100 millis" })
        const next = yield* Executor.submit(Tasks.sleep, 1)
        assert.instanceOf(yield* Effect.flip(Future.result(overrun)), FutureError.TimeoutError)
        assert.strictEqual(yield* Future.state(next), "pending")
        const stats = yield* Executor.stats
        assert.strictEqual(stats.queued, 1)
        assert.strictEqual(yield* Future.result(next), 1)
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "shutdown waits for a timed-out task's worker to be free or gone, as for any task still running",
    () =>
      Effect.gen(function* () {
        const overrun = yield* Executor.submit(Tasks.busyLoop, 5_000, { timeout: "100 millis" })
        assert.instanceOf(yield* Effect.flip(Future.result(overrun)), FutureError.TimeoutError)
        yield* Executor.shutdown()
        assert.strictEqual((yield* Executor.stats).busy, 0)
      }).pipe(Effect.provide(layer())),
    TIMEOUT
  )

  it.live(
    "retry re-runs a task whose worker crashed (BrokenExecutorError, retried by default) and it succeeds",
    () =>
      withTempFile((path) =>
        Effect.gen(function* () {
          const future = yield* Executor.submit(Tasks.crashOnce, path, { retry: { times: 2 } })
          assert.strictEqual(yield* Future.result(future), "survived")
          // Without retry the crash is the answer, and its error names the task's id.
          rmSync(path)
          const once = yield* Executor.submit(Tasks.crashOnce, path, { id: "order-9" })
          const error = yield* Effect.flip(Future.result(once))
          assert.instanceOf(error, FutureError.BrokenExecutorError)
          assert.include(error.message, '"crashOnce" (id order-9)')
        }).pipe(Effect.provide(layer()))
      ),
    TIMEOUT
  )

  it.live(
    "a retried task is sent a copy of its input: transfer is ignored, so an attempt after a crash has it whole",
    () =>
      withTempFile((path) =>
        Effect.gen(function* () {
          const buffer = new ArrayBuffer(1024)
          const future = yield* Executor.submit(Tasks.crashOnceBytes, [path, buffer] as const, {
            transfer: [buffer],
            retry: { times: 1 }
          })
          assert.strictEqual(yield* Future.result(future), 1024)
        }).pipe(Effect.provide(layer()))
      ),
    TIMEOUT
  )

  it.live(
    "each input of a traced chunk runs under a span of its own in the worker",
    () => {
      const { tracer, spans } = memoryTracer()
      return Effect.gen(function* () {
        const results = yield* Executor.map(Tasks.traced, [1, 2, 3, 4], { chunkSize: 2 }).pipe(
          Stream.runCollect,
          Effect.withSpan("request")
        )
        assert.deepStrictEqual(Array.from(results), [1, 2, 3, 4])
        assert.lengthOf(
          spans.filter((span) => span.name === "effect_futures.run traced"),
          4
        )
        assert.lengthOf(
          spans.filter((span) => span.name === "inner"),
          4
        )
      }).pipe(Effect.provide(layer()), Effect.provideService(Tracer.Tracer, tracer))
    },
    TIMEOUT
  )

  it.live(
    "a crash mid-task ends the caller's task span with the failure",
    () => {
      const { tracer, spans } = memoryTracer()
      return Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.crash, "exit").pipe(Effect.withSpan("request"))
        const exit = yield* Future.await(future)
        assert.isTrue(Exit.isFailure(exit))
        const task = named(spans, "effect_futures.task crash")
        assert.strictEqual(task.attributes.get("task.outcome"), "failed")
        assert.strictEqual(task.status._tag, "Ended")
        assert.isTrue(Exit.isFailure((task.status as Extract<Tracer.SpanStatus, { _tag: "Ended" }>).exit))
      }).pipe(Effect.provide(layer()), Effect.provideService(Tracer.Tracer, tracer))
    },
    TIMEOUT
  )
})
