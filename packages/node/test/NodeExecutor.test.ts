import { Executor, Future, FutureError, type Task } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Metric, Schedule, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { execSync, spawn } from "node:child_process"
import { NodeExecutor } from "../src/index.ts"
import * as Tasks from "./fixtures/pool.tasks.ts"
import { module, pools, TIMEOUT } from "./fixtures/pools.ts"
import { elsewhere, misspelled } from "./fixtures/other.tasks.ts"
import { entryMark } from "./fixtures/entry.tasks.ts"
import { workerNames } from "./fixtures/names.tasks.ts"
import { holdThenWho, meetThenWho } from "./fixtures/idle.tasks.ts"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const run = <I, A, E>(task: Task.Task<I, A, E>, input: I) =>
  Effect.flatMap(Executor.submit(task, input), (future) => Future.result(future))

const failureOf = <A, E>(future: Future.Future<A, E>) =>
  Effect.map(Future.await(future), (exit) => {
    assert.isTrue(Exit.isFailure(exit), "expected the future to fail")
    return Cause.squash((exit as Exit.Failure<A, E>).cause)
  })

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** How long an interrupted task has before its worker is killed, in the tests of a close that is cut short. */
const graceMillis = 500

/** Tasks that never end: one that can be interrupted, and one that only killing its worker stops. */
const neverEnding = [
  { what: "an Effect.never", argument: "never", submit: Executor.submit(Tasks.sleepForever, undefined) },
  { what: "a synchronous busy loop", argument: "busy", submit: Executor.submit(Tasks.busyLoop, 600_000) }
] as const

/**
 * Runs `fixtures/interruptedClose.ts` under `NodeRuntime.runMain` in a child process and sends it SIGINT once
 * its body has ended (the close has begun); SIGKILL after 20 s if it has not exited by then.
 */
const runInterruptedClose = (kind: "threads" | "processes", hanging: string) =>
  Effect.callback<{
    readonly pid: number
    readonly workerPid: number | undefined
    readonly interruptedAt: number | undefined
    readonly exitedAt: number
    readonly killedBy: string | undefined
    readonly output: string
  }>((resume) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./fixtures/interruptedClose.ts", import.meta.url)), kind, hanging],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    let workerPid: number | undefined = undefined
    let interruptedAt: number | undefined = undefined
    let killedBy: string | undefined = undefined
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString()
      const closing = /\{"closing":true,"pid":(\d+)\}/.exec(output)
      if (closing !== null && interruptedAt === undefined) {
        workerPid = Number(closing[1])
        interruptedAt = Date.now()
        child.kill("SIGINT")
      }
    }
    child.stdout.on("data", onOutput)
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const deadline = setTimeout(() => {
      killedBy = "the test's deadline"
      child.kill("SIGKILL")
    }, 20_000)
    child.on("exit", () => {
      clearTimeout(deadline)
      resume(Effect.succeed({ pid: child.pid!, workerPid, interruptedAt, exitedAt: Date.now(), killedBy, output }))
    })
    return Effect.sync(() => {
      clearTimeout(deadline)
      child.kill("SIGKILL")
    })
  })

describe.each(pools)("$name", (pool) => {
  it.live(
    "runs a task and returns its value",
    () =>
      Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.countPrimes, 1000)
        assert.strictEqual(yield* Future.result(future), 168)
        assert.strictEqual(yield* Future.state(future), "succeeded")
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "a typed failure in the worker is an instance of its class in the caller",
    () =>
      Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.countPrimes, -5)
        const error = yield* Effect.flip(Future.result(future))
        assert.instanceOf(error, Tasks.PrimeLimitError)
        assert.strictEqual((error as Tasks.PrimeLimitError).limit, -5)
        assert.strictEqual(yield* Future.state(future), "failed")
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "submit fails at once with TaskEncodeError for an input that cannot cross",
    () =>
      Effect.gen(function* () {
        const rejected = yield* Effect.flip(Executor.submit(Tasks.countPrimes, "seven" as unknown as number))
        assert.instanceOf(rejected, FutureError.TaskEncodeError)
        const aFunction = yield* Effect.flip(Executor.submit(Tasks.add, { a: 1, b: (() => 2) as unknown as number }))
        assert.instanceOf(aFunction, FutureError.TaskEncodeError)
        assert.match(aFunction.message, /function/)
        const aSymbol = yield* Effect.flip(Executor.submit(Tasks.add, { a: 1, b: Symbol("two") as unknown as number }))
        assert.instanceOf(aSymbol, FutureError.TaskEncodeError)
        assert.match(aSymbol.message, /symbol/)
        const stats = yield* Executor.stats
        assert.strictEqual(stats.completed + stats.failed + stats.queued + stats.busy, 0)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "a task the module does not export is a TaskEncodeError at submit",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Executor.submit(elsewhere, 1))
        assert.instanceOf(error, FutureError.TaskEncodeError)
        assert.match(error.message, /does not export a task named "elsewhere"/)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "an unknown task name's error lists the module's tasks and suggests the closest",
    () =>
      Effect.gen(function* () {
        const typo = yield* Effect.flip(Executor.submit(misspelled, 1))
        assert.instanceOf(typo, FutureError.TaskEncodeError)
        assert.include(typo.message, `does not export a task named "countPirmes" (did you mean "countPrimes"?)`)
        assert.match(typo.message, /; its tasks are "add", "appendLine", .*"countPrimes"/)
        const far = yield* Effect.flip(Executor.submit(elsewhere, 1))
        assert.notInclude(far.message, "did you mean")
        assert.match(far.message, /its tasks are "add"/)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "a closure given to the pool (map of a function, submit of an Effect) dies with an error that shows Task.fromFunction",
    () =>
      Effect.gen(function* () {
        const defectOf = (effect: Effect.Effect<unknown, unknown, unknown>) =>
          Effect.map(Effect.exit(effect as Effect.Effect<unknown, unknown, Executor.Executor>), (exit) => {
            assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), "expected a defect")
            return Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)
          })
        const mapped = yield* defectOf(Stream.runCollect(Executor.map((n: number) => Effect.succeed(n), [1, 2])))
        assert.instanceOf(mapped, Cause.IllegalArgumentError)
        assert.match(
          (mapped as Error).message,
          /^Executor\.map: a function was given where a Task is needed: .*Task\.fromFunction\("name", fn\)/
        )
        const submitted = yield* defectOf(Executor.submit(Effect.succeed(1)))
        assert.instanceOf(submitted, Cause.IllegalArgumentError)
        assert.match((submitted as Error).message, /^Executor\.submit: an Effect was given where a Task is needed/)
        // The pool is unharmed.
        assert.strictEqual(yield* run(Tasks.countPrimes, 100), 25)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "a payload its schema rejects is a TaskEncodeError that names the task and the field's path",
    () =>
      Effect.gen(function* () {
        const name = yield* Effect.flip(
          Executor.submit(Tasks.greet, { user: { name: 42 as unknown as string, tags: [] } })
        )
        assert.instanceOf(name, FutureError.TaskEncodeError)
        assert.strictEqual(name.message, `task "greet": input.user.name: Expected string, got 42`)
        const tag = yield* Effect.flip(
          Executor.submit(Tasks.greet, { user: { name: "ada", tags: ["a", 7 as unknown as string] } })
        )
        assert.strictEqual(tag.message, `task "greet": input.user.tags[1]: Expected string, got 7`)
        const missing = yield* Effect.flip(Executor.submit(Tasks.greet, {} as { user: { name: string; tags: [] } }))
        assert.strictEqual(missing.message, `task "greet": input.user: Missing key`)
        const top = yield* Effect.flip(Executor.submit(Tasks.countPrimes, "seven" as unknown as number))
        assert.strictEqual(top.message, `task "countPrimes": input: Expected number, got "seven"`)
        const aFunction = yield* Effect.flip(Executor.submit(Tasks.add, { a: 1, b: (() => 2) as unknown as number }))
        assert.match(aFunction.message, /^task "add": input\.b is a function/)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "a result or typed error its schema rejects names the task and the field's path",
    () =>
      Effect.gen(function* () {
        const result = yield* failureOf(yield* Executor.submit(Tasks.greet, { user: { name: "wrong", tags: [] } }))
        assert.instanceOf(result, FutureError.TaskEncodeError)
        assert.strictEqual(
          (result as FutureError.TaskEncodeError).message,
          `task "greet": result.text: Expected string, got 42`
        )
        const error = yield* failureOf(yield* Executor.submit(Tasks.wrongFailure, undefined))
        assert.instanceOf(error, FutureError.TaskEncodeError)
        assert.strictEqual(
          (error as FutureError.TaskEncodeError).message,
          `task "wrongFailure": error.code: Expected number, got "E42"`
        )
        const undecodable = yield* failureOf(yield* Executor.submit(Tasks.undecodable, undefined))
        assert.instanceOf(undecodable, FutureError.TaskDecodeError)
        assert.strictEqual(
          (undecodable as FutureError.TaskDecodeError).message,
          `task "undecodable": result: this version refuses to decode it`
        )
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "an output the worker cannot encode fails with TaskEncodeError, one the caller cannot decode with TaskDecodeError",
    () =>
      Effect.gen(function* () {
        const wrong = yield* failureOf(yield* Executor.submit(Tasks.wrongOutput, undefined))
        assert.instanceOf(wrong, FutureError.TaskEncodeError)
        const undecodable = yield* failureOf(yield* Executor.submit(Tasks.undecodable, undefined))
        assert.instanceOf(undecodable, FutureError.TaskDecodeError)
        assert.match((undecodable as FutureError.TaskDecodeError).message, /refuses to decode/)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "a plain function's throw or rejection arrives as TaskError with name, message and stack",
    () =>
      Effect.gen(function* () {
        const thrown = yield* Effect.flip(run(Tasks.throws, "too far"))
        assert.instanceOf(thrown, FutureError.TaskError)
        assert.strictEqual((thrown as FutureError.TaskError).name, "RangeError")
        assert.strictEqual((thrown as FutureError.TaskError).message, "too far")
        assert.match((thrown as FutureError.TaskError).stack ?? "", /pool\.tasks\.ts/)
        const rejected = yield* Effect.flip(run(Tasks.rejects, "no"))
        assert.strictEqual((rejected as FutureError.TaskError).name, "TypeError")
        assert.strictEqual(yield* run(Tasks.add, { a: 2, b: 3 }), 5)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "a defect crosses as an Error with its name and message, and result re-raises it as a defect",
    () =>
      Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.dies, undefined)
        const exit = yield* Effect.exit(Future.result(future))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
        const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause) as Error
        assert.strictEqual(defect.name, "RangeError")
        assert.strictEqual(defect.message, "out of range")
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  for (const how of ["exit", "uncaught"] as const) {
    it.live(
      `a worker that crashes (${how}) fails only the future it held, and the pool replaces it`,
      () =>
        Effect.gen(function* () {
          const others = yield* Effect.forEach([150, 200, 250], (ms) => Executor.submit(Tasks.sleep, ms))
          const crashed = yield* Executor.submit(Tasks.crash, how)
          const error = yield* failureOf(crashed)
          assert.instanceOf(error, FutureError.BrokenExecutorError)
          assert.isDefined((error as FutureError.BrokenExecutorError).cause)
          assert.deepStrictEqual(yield* Effect.forEach(others, (future) => Future.result(future)), [150, 200, 250])
          assert.strictEqual(yield* run(Tasks.countPrimes, 100), 25)
          const stats = yield* Executor.stats
          assert.strictEqual(stats.failed, 1)
          assert.strictEqual(stats.completed, 4)
        }).pipe(Effect.provide(pool.layer())),
      TIMEOUT
    )
  }

  it.live(
    "interrupting a running task interrupts its fiber in the worker, where its finalizer runs",
    () =>
      Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.sleepForever, undefined)
        assert.strictEqual(yield* Future.state(future), "running")
        assert.isFalse(yield* Future.cancel(future))
        assert.isTrue(yield* Future.interrupt(future))
        assert.strictEqual(yield* Future.state(future), "cancelled")
        const error = yield* Effect.flip(Future.result(future))
        assert.instanceOf(error, FutureError.CancelledError)
        // One worker: the finalizer ran in the worker that serves the next task.
        assert.strictEqual(yield* run(Tasks.finalizerCount, undefined), 1)
        assert.strictEqual((yield* Executor.stats).cancelled, 1)
      }).pipe(Effect.provide(pool.layer({ maxWorkers: 1 }))),
    TIMEOUT
  )

  it.live(
    "a task that ignores the interrupt (a sync busy loop) has its worker replaced after the grace period",
    () =>
      Effect.gen(function* () {
        const before = pool.workerId(yield* run(Tasks.whoAmI, undefined))
        const future = yield* Executor.submit(Tasks.busyLoop, 60_000)
        const started = Date.now()
        assert.isTrue(yield* Future.interrupt(future))
        assert.isBelow(Date.now() - started, 20_000)
        assert.strictEqual(yield* Future.state(future), "cancelled")
        const after = pool.workerId(yield* run(Tasks.whoAmI, undefined))
        assert.notStrictEqual(after, before)
      }).pipe(Effect.provide(pool.layer({ maxWorkers: 1, interruptGracePeriod: "300 millis" }))),
    TIMEOUT
  )

  it.live(
    "cancel keeps Python's rule: a queued task is cancelled and never runs",
    () =>
      Effect.gen(function* () {
        const running = yield* Executor.submit(Tasks.sleep, 300)
        const queued = yield* Executor.submit(Tasks.sleepForever, undefined)
        assert.strictEqual(yield* Future.state(queued), "pending")
        assert.isTrue(yield* Future.cancel(queued))
        assert.strictEqual(yield* Future.result(running), 300)
        assert.strictEqual(yield* run(Tasks.finalizerCount, undefined), 0)
        assert.strictEqual(yield* Future.state(queued), "cancelled")
      }).pipe(Effect.provide(pool.layer({ maxWorkers: 1 }))),
    TIMEOUT
  )

  it.live(
    "maxTasks recycles workers without losing a task",
    () =>
      Effect.gen(function* () {
        const ids: Array<number> = []
        for (let i = 0; i < 6; i++) ids.push(pool.workerId(yield* run(Tasks.whoAmI, undefined)))
        assert.strictEqual(ids.length, 6)
        assert.strictEqual(new Set(ids).size, 3)
        assert.strictEqual(ids[0], ids[1])
        assert.notStrictEqual(ids[1], ids[2])
        const futures = yield* Effect.forEach([10, 20, 30, 40, 50], (n) => Executor.submit(Tasks.countPrimes, n))
        assert.deepStrictEqual(yield* Effect.forEach(futures, (f) => Future.result(f)), [4, 8, 10, 12, 15])
      }).pipe(Effect.provide(pool.layer({ maxWorkers: 1, maxTasks: 2 }))),
    TIMEOUT
  )

  it.live(
    "the initializer runs once in each worker before its first task",
    () =>
      Effect.gen(function* () {
        // Two workers, recycled after two tasks each: every worker ran the initializer once, before its tasks.
        const futures = yield* Effect.forEach([1, 2, 3, 4, 5, 6], () =>
          Executor.submit(Tasks.readConfiguration, undefined)
        )
        const seen = yield* Effect.forEach(futures, (future) => Future.result(future))
        assert.deepStrictEqual(new Set(seen), new Set(["configured (1)"]))
      }).pipe(Effect.provide(pool.layer({ maxTasks: 2, initializer: { task: Tasks.configure, input: "configured" } }))),
    TIMEOUT
  )

  it.live(
    "a failing initializer breaks the pool: waiting and later futures fail with BrokenExecutorError",
    () =>
      Effect.gen(function* () {
        const first = yield* failureOf(yield* Executor.submit(Tasks.countPrimes, 10))
        assert.instanceOf(first, FutureError.BrokenExecutorError)
        assert.instanceOf((first as FutureError.BrokenExecutorError).cause, Tasks.PrimeLimitError)
        // The cause has no message of its own: the error says what it is, never an empty "failed: ".
        assert.strictEqual(
          (first as FutureError.BrokenExecutorError).message,
          `the initializer "failingInitializer" failed: PrimeLimitError {"limit":-1}`
        )
        const later = yield* failureOf(yield* Executor.submit(Tasks.countPrimes, 10))
        assert.instanceOf(later, FutureError.BrokenExecutorError)
      }).pipe(Effect.provide(pool.layer({ initializer: { task: Tasks.failingInitializer, input: "x" } }))),
    TIMEOUT
  )

  it.live(
    "map runs a task over inputs and yields results in submission order",
    () =>
      Effect.gen(function* () {
        const results = yield* Stream.runCollect(Executor.map(Tasks.countPrimes, [100, 10, 1000, 1, 50]))
        assert.deepStrictEqual(Array.from(results), [25, 4, 168, 0, 15])
        const failed = yield* Effect.flip(Stream.runCollect(Executor.map(Tasks.countPrimes, [10, -1, 20])))
        assert.instanceOf(failed, Tasks.PrimeLimitError)
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )

  it.live(
    "with maxQueue, submit waits for room instead of failing",
    () =>
      Effect.gen(function* () {
        const first = yield* Executor.submit(Tasks.sleep, 200)
        const second = yield* Executor.submit(Tasks.sleep, 10)
        const third = yield* Effect.forkChild(Executor.submit(Tasks.sleep, 20))
        yield* Effect.yieldNow
        assert.isUndefined(third.pollUnsafe(), "the third submit should wait while the queue is full")
        assert.strictEqual((yield* Executor.stats).queued, 1)
        assert.strictEqual(yield* Future.result(first), 200)
        const future = yield* Fiber.join(third)
        assert.strictEqual(yield* Future.result(future), 20)
        assert.strictEqual(yield* Future.result(second), 10)
      }).pipe(Effect.provide(pool.layer({ maxWorkers: 1, maxQueue: 1 }))),
    TIMEOUT
  )

  it.live(
    "shutdown with cancelFutures cancels queued tasks, waits for running ones; later submits fail",
    () =>
      Effect.gen(function* () {
        const running = yield* Executor.submit(Tasks.sleep, 200)
        const queued = yield* Executor.submit(Tasks.sleep, 10)
        yield* Executor.shutdown({ cancelFutures: true })
        assert.strictEqual(yield* Future.state(running), "succeeded")
        assert.strictEqual(yield* Future.state(queued), "cancelled")
        const error = yield* Effect.flip(Executor.submit(Tasks.sleep, 1))
        assert.instanceOf(error, FutureError.ExecutorShutdownError)
      }).pipe(Effect.provide(pool.layer({ maxWorkers: 1 }))),
    TIMEOUT
  )

  it.live(
    "closing the scope normally waits for the tasks, then no worker remains",
    () =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(pool.layer({ maxWorkers: 2, minWorkers: 2 }), scope)
        const futures = yield* Effect.forEach([100, 120, 140], (ms) =>
          Executor.submit(Tasks.sleep, ms).pipe(Effect.provideContext(context))
        )
        const who = yield* Effect.forEach([0, 1], () =>
          run(Tasks.whoAmI, undefined).pipe(Effect.provideContext(context))
        )
        yield* Scope.close(scope, Exit.void)
        for (const future of futures) assert.strictEqual(yield* Future.state(future), "succeeded")
        const stats = yield* Executor.stats.pipe(Effect.provideContext(context))
        assert.strictEqual(stats.workers, 0)
        for (const { pid } of who) if (pid !== process.pid) assert.isFalse(isAlive(pid), `child ${pid} is still alive`)
      }),
    TIMEOUT
  )

  it.live(
    "closing the scope by interruption cancels queued tasks, interrupts running ones, and leaves no worker",
    () =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(pool.layer({ maxWorkers: 1 }), scope)
        const submit = <A>(effect: Effect.Effect<A, any, Executor.Executor>) =>
          effect.pipe(Effect.provideContext(context))
        const { pid } = yield* submit(run(Tasks.whoAmI, undefined))
        const running = yield* submit(Executor.submit(Tasks.sleepForever, undefined))
        const queued = yield* submit(Executor.submit(Tasks.sleep, 10))
        yield* Scope.close(scope, Exit.interrupt())
        assert.strictEqual(yield* Future.state(running), "cancelled")
        assert.strictEqual(yield* Future.state(queued), "cancelled")
        assert.strictEqual((yield* submit(Executor.stats)).workers, 0)
        if (pid !== process.pid) assert.isFalse(isAlive(pid), `child ${pid} is still alive`)
      }),
    TIMEOUT
  )

  for (const hanging of neverEnding) {
    it.effect(
      `an interruption during a normal close (a timeout around the program) stops ${hanging.what}, returns within the grace period, and leaves no worker`,
      () =>
        Effect.gen(function* () {
          const left = yield* Deferred.make<{
            readonly executor: Executor.ExecutorShape
            readonly pid: number
            readonly running: Future.Future<unknown, unknown>
            readonly queued: Future.Future<number, unknown>
          }>()
          const program = yield* Effect.gen(function* () {
            const { pid } = yield* run(Tasks.whoAmI, undefined)
            const running = yield* hanging.submit
            const queued = yield* Executor.submit(Tasks.sleep, 10)
            yield* Deferred.succeed(left, { executor: yield* Executor.Executor, pid, running, queued })
            // The body ends here: the close waits for `running`, which never ends.
          }).pipe(
            Effect.provide(pool.layer({ maxWorkers: 1, interruptGracePeriod: graceMillis })),
            Effect.timeout("1 second"),
            Effect.exit,
            Effect.forkChild
          )
          // The test clock fires the timeout once the body has ended, however long the workers took to start.
          const { executor, pid, queued, running } = yield* Deferred.await(left)
          assert.strictEqual(yield* Future.state(running), "running")
          const timedOut = Date.now()
          yield* TestClock.adjust("1 second")
          const exit = yield* Fiber.join(program)
          // Coarse: the grace period at most, then the worker's exit; 3x slack over grace + 1 s.
          assert.isBelow(Date.now() - timedOut, 3 * (graceMillis + 1000))
          assert.isTrue(Exit.isFailure(exit) && Cause.isTimeoutError(Cause.squash(exit.cause)))
          assert.strictEqual(yield* Future.state(running), "cancelled")
          assert.strictEqual(yield* Future.state(queued), "cancelled")
          const stats = yield* executor.stats
          assert.deepStrictEqual([stats.workers, stats.busy, stats.queued], [0, 0, 0])
          if (pid !== process.pid) assert.isFalse(isAlive(pid), `child ${pid} is still alive`)
        }),
      TIMEOUT
    )

    it.live(
      `under NodeRuntime.runMain, SIGINT during the close stops ${hanging.what}, and the process exits within the grace period leaving no child`,
      () =>
        Effect.gen(function* () {
          const result = yield* runInterruptedClose(pool.kind, hanging.argument)
          if (result.workerPid !== undefined && result.workerPid !== result.pid && isAlive(result.workerPid)) {
            process.kill(result.workerPid, "SIGKILL")
            assert.fail(`the pool's child ${result.workerPid} outlived the program`)
          }
          assert.isDefined(result.interruptedAt, `the program never reached its close:\n${result.output}`)
          assert.isUndefined(result.killedBy, `the program did not exit after SIGINT:\n${result.output}`)
          // Coarse: the grace period at most, then the worker's exit; 3x slack over grace + 1 s.
          assert.isBelow(result.exitedAt - result.interruptedAt!, 3 * (graceMillis + 1000))
          assert.include(result.output, JSON.stringify({ closed: "cancelled" }))
        }),
      TIMEOUT
    )
  }

  it.effect(
    "shutdownTimeout: a normal close waits that long, then stops the tasks as an interruption would, leaving no worker",
    () =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(
          pool.layer({ maxWorkers: 1, interruptGracePeriod: graceMillis, shutdownTimeout: "5 seconds" }),
          scope
        )
        const submit = <A>(effect: Effect.Effect<A, any, Executor.Executor>) =>
          effect.pipe(Effect.provideContext(context))
        const { pid } = yield* submit(run(Tasks.whoAmI, undefined))
        const running = yield* submit(Executor.submit(Tasks.busyLoop, 600_000))
        const queued = yield* submit(Executor.submit(Tasks.sleep, 10))
        const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
        yield* TestClock.adjust("4999 millis")
        assert.isUndefined(closing.pollUnsafe(), "the close waits until shutdownTimeout")
        assert.strictEqual(yield* Future.state(queued), "pending")
        const timedOut = Date.now()
        yield* TestClock.adjust("1 millis")
        yield* Fiber.join(closing)
        // Coarse: the grace period, then the worker's exit; 3x slack over grace + 1 s.
        assert.isBelow(Date.now() - timedOut, 3 * (graceMillis + 1000))
        assert.strictEqual(yield* Future.state(running), "cancelled")
        assert.strictEqual(yield* Future.state(queued), "cancelled")
        assert.strictEqual((yield* submit(Executor.stats)).workers, 0)
        if (pid !== process.pid) assert.isFalse(isAlive(pid), `child ${pid} is still alive`)
      }),
    TIMEOUT
  )
})

describe("worker threads only", () => {
  it.live(
    "a thread that exceeds its resourceLimits fails only its future, and the pool keeps serving",
    () =>
      Effect.gen(function* () {
        const other = yield* Executor.submit(Tasks.sleep, 100)
        const error = yield* failureOf(yield* Executor.submit(Tasks.crash, "oom"))
        assert.instanceOf(error, FutureError.BrokenExecutorError)
        assert.match((error as FutureError.BrokenExecutorError).message, /memory/i)
        assert.strictEqual(yield* Future.result(other), 100)
        assert.strictEqual(yield* run(Tasks.countPrimes, 100), 25)
      }).pipe(
        Effect.provide(
          NodeExecutor.layerWorkerThreads({ module, maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 32 } })
        )
      ),
    TIMEOUT
  )

  it.live(
    "an ArrayBuffer input is transferred, not copied: the sender's buffer is detached",
    () =>
      Effect.gen(function* () {
        const buffer = new ArrayBuffer(1024)
        const future = yield* Executor.submit(Tasks.byteLength, buffer, { transfer: [buffer] })
        assert.strictEqual(yield* Future.result(future), 1024)
        assert.strictEqual(buffer.byteLength, 0, "the sender's buffer should be detached")
        assert.isTrue((buffer as ArrayBuffer & { detached: boolean }).detached)
        const copied = new ArrayBuffer(16)
        assert.strictEqual(yield* run(Tasks.byteLength, copied), 16)
        assert.strictEqual(copied.byteLength, 16, "without transfer the buffer is copied")
      }).pipe(Effect.provide(NodeExecutor.layerWorkerThreads({ module, maxWorkers: 1 }))),
    TIMEOUT
  )

  it.live(
    "schema fields marked with effect/workers' Transferable.schema are moved both ways",
    () =>
      Effect.gen(function* () {
        const data = new Uint8Array([1, 2, 3]).buffer
        const result = yield* run(Tasks.doubleBytes, { data })
        assert.isTrue((data as ArrayBuffer & { detached: boolean }).detached, "the input buffer should be detached")
        assert.deepStrictEqual(Array.from(new Uint8Array(result.data)), [2, 4, 6])
        assert.isTrue(
          yield* run(Tasks.lastReturnedDetached, undefined),
          "the result buffer should have left the worker"
        )
      }).pipe(Effect.provide(NodeExecutor.layerWorkerThreads({ module, maxWorkers: 1 }))),
    TIMEOUT
  )

  it.live(
    "a function task can transfer an ArrayBuffer back with NodeExecutor.transfer",
    () =>
      Effect.gen(function* () {
        const { buffer } = yield* run(Tasks.makeBuffer, 4096)
        assert.strictEqual(buffer.byteLength, 4096)
        assert.strictEqual(new Uint8Array(buffer)[4095], 7)
        assert.isTrue(yield* run(Tasks.lastMadeDetached, undefined), "the buffer should have left the worker")
      }).pipe(Effect.provide(NodeExecutor.layerWorkerThreads({ module, maxWorkers: 1 }))),
    TIMEOUT
  )
  it.live(
    "an idle worker above minWorkers exits after idleTimeout; the pool keeps serving",
    () =>
      Effect.gen(function* () {
        const futures = yield* Effect.forEach([150, 150], (ms) => Executor.submit(Tasks.sleep, ms))
        assert.strictEqual((yield* Executor.stats).workers, 2)
        yield* Effect.forEach(futures, (future) => Future.result(future))
        const workers = yield* Executor.stats.pipe(
          Effect.map((stats) => stats.workers),
          Effect.repeat({ until: (workers) => workers === 1, schedule: Schedule.spaced("20 millis") }),
          Effect.timeout("10 seconds")
        )
        assert.strictEqual(workers, 1)
        assert.strictEqual(yield* run(Tasks.countPrimes, 100), 25)
      }).pipe(
        Effect.provide(
          NodeExecutor.layerWorkerThreads({ module, maxWorkers: 2, minWorkers: 1, idleTimeout: "100 millis" })
        )
      ),
    TIMEOUT
  )
})

describe("idle retirement", () => {
  it.live(
    "minWorkers is a floor: workers idle at the same moment retire down to it, and the ones kept are the same",
    () =>
      Effect.gen(function* () {
        // Four tasks that wait for each other run on four workers, however slowly the last ones load (on a
        // loaded machine they may take seconds): then all four go idle at the same moment.
        const dir = mkdtempSync(join(tmpdir(), "effect-futures-meet-"))
        yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
        const met = yield* Effect.forEach([0, 1, 2, 3], () =>
          Executor.submit(meetThenWho, { dir, count: 4, capMillis: 20_000 })
        )
        const before = new Set(yield* Effect.forEach(met, (future) => Future.result(future)))
        assert.strictEqual(before.size, 4, "four tasks at once should run on the four workers")
        // Their idle timers fire together: the pool retires down to the floor...
        for (let waited = 0; (yield* Executor.stats).workers > 1 && waited < 100; waited++)
          yield* Effect.sleep("50 millis")
        assert.strictEqual((yield* Executor.stats).workers, 1)
        // ... and keeps it: five more idle timeouts retire nothing and start nothing.
        yield* Effect.sleep("500 millis")
        assert.strictEqual((yield* Executor.stats).workers, 1)
        const kept = yield* run(holdThenWho, 0)
        assert.isTrue(before.has(kept), `the kept worker ${kept} should be one of ${[...before].join(", ")}`)
      }).pipe(
        Effect.provide(
          NodeExecutor.layerWorkerThreads({
            module: new URL("./fixtures/idle.tasks.ts", import.meta.url),
            maxWorkers: 4,
            minWorkers: 1,
            idleTimeout: "100 millis"
          })
        )
      ),
    // The barrier may wait for slow-loading workers on a loaded machine.
    TIMEOUT * 3
  )
})

describe("child processes only", () => {
  it.live(
    "a child killed with SIGKILL from outside fails only its future, and the pool replaces it",
    () =>
      Effect.gen(function* () {
        const { pid } = yield* run(Tasks.whoAmI, undefined)
        const hung = yield* Executor.submit(Tasks.crash, "hang")
        process.kill(pid, "SIGKILL")
        const error = yield* failureOf(hung)
        assert.instanceOf(error, FutureError.BrokenExecutorError)
        assert.match((error as FutureError.BrokenExecutorError).message, /SIGKILL/)
        const next = yield* run(Tasks.whoAmI, undefined)
        assert.notStrictEqual(next.pid, pid)
      }).pipe(Effect.provide(NodeExecutor.layerChildProcesses({ module, maxWorkers: 1 }))),
    TIMEOUT
  )

  it.live(
    "a child that has exited gets no more work while its last replies are read; the next tasks run elsewhere",
    () =>
      Effect.gen(function* () {
        // The child exits, but a process it left holds the IPC channel open for 2 s: the parent sees the exit
        // long before the channel's end.
        const child = (yield* run(Tasks.whoAmI, undefined)).pid
        const holder = yield* run(Tasks.exitLeavingChannelOpen, 2000)
        yield* Effect.addFinalizer(() => Effect.sync(() => process.kill(holder, "SIGKILL")))
        // Gone from the system, then a moment for the parent to hear of it (slow on a loaded machine).
        while (isAlive(child)) yield* Effect.sleep("20 millis")
        yield* Effect.sleep("100 millis")
        const sums = yield* Effect.forEach([1, 2, 3], (a) => run(Tasks.add, { a, b: 1000 }))
        assert.deepStrictEqual(sums, [1001, 1002, 1003])
      }).pipe(Effect.scoped, Effect.provide(NodeExecutor.layerChildProcesses({ module, maxWorkers: 1 }))),
    TIMEOUT
  )
})

describe("child processes only: start-up", () => {
  const children = (): Array<number> =>
    execSync(`ps -o pid= --ppid ${process.pid}`).toString().trim().split(/\s+/).filter(Boolean).map(Number)

  it.live(
    "a replacement child killed from outside while it starts is replaced too; the pool keeps serving",
    () =>
      Effect.gen(function* () {
        const before = children()
        const crashed = yield* Executor.submit(Tasks.crash, "exit")
        const queued = yield* Executor.submit(Tasks.add, { a: 1, b: 2 })
        yield* Future.await(crashed)
        // The pool is starting a replacement for the crashed child: kill it before it is ready.
        let killed = 0
        for (const pid of children().filter((pid) => !before.includes(pid))) {
          if (isAlive(pid)) {
            process.kill(pid, "SIGKILL")
            killed++
          }
        }
        assert.isAtLeast(killed, 1)
        assert.strictEqual(yield* Future.result(queued), 3)
        assert.strictEqual(yield* run(Tasks.add, { a: 3, b: 4 }), 7)
      }).pipe(Effect.provide(NodeExecutor.layerChildProcesses({ module, maxWorkers: 1 }))),
    TIMEOUT
  )
})

describe("maxQueue", () => {
  it.live(
    "cancelling a queued task makes room for a submit that waits",
    () =>
      Effect.gen(function* () {
        const running = yield* Executor.submit(Tasks.sleep, 60_000)
        const queued = yield* Executor.submit(Tasks.add, { a: 1, b: 1 })
        const waiting = yield* Effect.forkChild(Executor.submit(Tasks.add, { a: 2, b: 2 }))
        yield* Effect.sleep("50 millis")
        assert.isUndefined(waiting.pollUnsafe())
        assert.isTrue(yield* Future.cancel(queued))
        const submitted = yield* Fiber.join(waiting)
        assert.strictEqual(yield* Future.state(submitted), "pending")
        assert.isTrue(yield* Future.interrupt(running))
        assert.strictEqual(yield* Future.result(submitted), 4)
      }).pipe(
        Effect.provide(
          NodeExecutor.layerWorkerThreads({ module, maxWorkers: 1, maxQueue: 1, interruptGracePeriod: "100 millis" })
        )
      ),
    TIMEOUT
  )
})

describe("task modules", () => {
  const plainModule = new URL("./fixtures/plain.tasks.mjs", import.meta.url)

  it.live(
    "a task module may be plain JavaScript",
    () =>
      Effect.gen(function* () {
        const plain: { readonly shout: Task.Task<string, string, FutureError.TaskError> } = yield* Effect.promise(
          () => import(plainModule.href)
        )
        assert.strictEqual(yield* run(plain.shout, "hello"), "HELLO!")
      }).pipe(
        Effect.provide(
          NodeExecutor.layerChildProcesses({
            module: new URL("./fixtures/plain.tasks.mjs", import.meta.url),
            maxWorkers: 1
          })
        )
      ),
    TIMEOUT
  )

  const build = (layer: Layer.Layer<Executor.Executor, NodeExecutor.TaskModuleError>) =>
    Effect.flip(Effect.scoped(Layer.build(layer)))

  it.live(
    "a module that exports two tasks with one name fails the Layer with TaskModuleError",
    () =>
      Effect.gen(function* () {
        const error = yield* build(
          NodeExecutor.layerWorkerThreads({ module: new URL("./fixtures/duplicate.tasks.ts", import.meta.url) })
        )
        assert.instanceOf(error, NodeExecutor.TaskModuleError)
        assert.match(error.message, /two tasks named "same"/)
      }),
    TIMEOUT
  )

  it.live(
    "a module that fails to import fails the Layer with TaskModuleError, not a hang",
    () =>
      Effect.gen(function* () {
        const threads = yield* build(
          NodeExecutor.layerWorkerThreads({ module: new URL("./fixtures/broken.tasks.ts", import.meta.url) })
        )
        assert.instanceOf(threads, NodeExecutor.TaskModuleError)
        assert.match(threads.message, /broken on purpose/)
        const children = yield* build(
          NodeExecutor.layerChildProcesses({ module: new URL("./fixtures/missing.tasks.ts", import.meta.url) })
        )
        assert.instanceOf(children, NodeExecutor.TaskModuleError)
      }),
    TIMEOUT
  )

  it.live(
    "a module that loads in the caller but not in a worker fails the Layer with TaskModuleError",
    () =>
      Effect.gen(function* () {
        const workerOnly = new URL("./fixtures/workerOnly.tasks.ts", import.meta.url)
        const threads = yield* build(NodeExecutor.layerWorkerThreads({ module: workerOnly }))
        assert.instanceOf(threads, NodeExecutor.TaskModuleError)
        assert.match(threads.message, /cannot load in a worker/)
        const children = yield* build(NodeExecutor.layerChildProcesses({ module: workerOnly }))
        assert.instanceOf(children, NodeExecutor.TaskModuleError)
        assert.match(children.message, /cannot load in a worker/)
      }),
    TIMEOUT
  )

  it.live(
    "a module whose top-level code never finishes in a worker fails the Layer after startTimeout, not a hang",
    () =>
      Effect.gen(function* () {
        const hanging = new URL("./fixtures/hanging.tasks.ts", import.meta.url)
        const error = yield* build(NodeExecutor.layerChildProcesses({ module: hanging, startTimeout: "500 millis" }))
        assert.instanceOf(error, NodeExecutor.TaskModuleError)
        assert.match(error.message, /did not load the task module .* within 500 ms/)
      }),
    TIMEOUT
  )

  it.live(
    "workerEntry starts the workers with the given file (URL or path), on both pools",
    () =>
      Effect.gen(function* () {
        const entryModule = new URL("./fixtures/entry.tasks.ts", import.meta.url)
        const customEntry = new URL("./fixtures/custom.entry.ts", import.meta.url)
        const mark = run(entryMark, null)
        assert.strictEqual(
          yield* Effect.provide(mark, NodeExecutor.layerWorkerThreads({ module: entryModule })),
          "the package's"
        )
        assert.strictEqual(
          yield* Effect.provide(
            mark,
            NodeExecutor.layerWorkerThreads({ module: entryModule, workerEntry: customEntry })
          ),
          "custom"
        )
        assert.strictEqual(
          yield* Effect.provide(
            mark,
            NodeExecutor.layerChildProcesses({ module: entryModule, workerEntry: fileURLToPath(customEntry) })
          ),
          "custom"
        )
      }),
    TIMEOUT
  )

  it.live(
    "name is each thread's name, each child's process title and the pool's metric attribute",
    () =>
      Effect.gen(function* () {
        const names = new URL("./fixtures/names.tasks.ts", import.meta.url)
        const workersSeries = (snapshot: ReadonlyArray<Metric.Metric.Snapshot>, name: string) =>
          snapshot.find(
            (metric) => metric.id === "effect_futures_workers" && metric.attributes?.["executor_name"] === name
          )
        const thread = yield* Effect.provide(
          Effect.zip(run(workerNames, null), Metric.snapshot),
          NodeExecutor.layerWorkerThreads({ module: names, name: "resize" })
        )
        assert.strictEqual(thread[0].threadName, "resize")
        assert.strictEqual(workersSeries(thread[1], "resize")?.attributes?.["executor"], "worker-threads")
        const child = yield* Effect.provide(
          Effect.zip(run(workerNames, null), Metric.snapshot),
          NodeExecutor.layerChildProcesses({ module: names, name: "thumbnails" })
        )
        assert.strictEqual(child[0].title, "thumbnails")
        assert.strictEqual(workersSeries(child[1], "thumbnails")?.attributes?.["executor"], "child-processes")
        // Unnamed, each pool gets its kind and a number: never a series shared with another pool.
        const unnamed = yield* Effect.provide(
          run(workerNames, null),
          NodeExecutor.layerWorkerThreads({ module: names })
        )
        assert.match(unnamed.threadName ?? "", /^worker-threads-\d+$/)
      }),
    TIMEOUT
  )

  it.live(
    "a workerEntry that does not exist fails the Layer with TaskModuleError, not a hang",
    () =>
      Effect.gen(function* () {
        const workerEntry = new URL("./fixtures/no-such.entry.ts", import.meta.url)
        const threads = yield* build(NodeExecutor.layerWorkerThreads({ module, workerEntry }))
        assert.instanceOf(threads, NodeExecutor.TaskModuleError)
        assert.match(threads.message, /no-such\.entry\.ts/)
        const children = yield* build(NodeExecutor.layerChildProcesses({ module, workerEntry }))
        assert.instanceOf(children, NodeExecutor.TaskModuleError)
      }),
    TIMEOUT
  )

  it.live(
    "an initializer that is not a task of the module fails the Layer",
    () =>
      Effect.gen(function* () {
        const error = yield* build(
          NodeExecutor.layerWorkerThreads({ module, initializer: { task: elsewhere, input: 1 } })
        )
        assert.match(error.message, /not a task of the task module .*; its tasks are "add"/)
      }),
    TIMEOUT
  )
})
