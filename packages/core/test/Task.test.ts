import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Schema, Stream } from "effect"
import { Executor, Future, FutureError, Task } from "@effect-futures/core"

class PrimeLimitError extends Schema.TaggedError<PrimeLimitError>()("PrimeLimitError", { limit: Schema.Number }) {}

const countPrimes = Task.make("countPrimes", {
  payload: Schema.Number,
  success: Schema.Number,
  failure: PrimeLimitError,
  run: (limit) =>
    limit < 0
      ? Effect.fail(new PrimeLimitError({ limit }))
      : Effect.sync(() => {
          let count = 0
          for (let n = 2; n <= limit; n++) {
            let prime = true
            for (let d = 2; d * d <= n && prime; d++) prime = n % d !== 0
            if (prime) count++
          }
          return count
        })
})

describe("Task", () => {
  it("make keeps the name, the schemas and the run function", () => {
    assert.isTrue(Task.isTask(countPrimes))
    assert.strictEqual(countPrimes.name, "countPrimes")
    assert.strictEqual(countPrimes.codec, "schema")
    assert.strictEqual(countPrimes.failure, PrimeLimitError)
    assert.strictEqual(String(countPrimes), "Task(countPrimes)")
    assert.isFalse(Task.isTask(Effect.succeed(1)))
  })

  it.effect("a Task's typed failure arrives as an instance of its class", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* Future.result(yield* Executor.submit(countPrimes, 100)), 25)
      const error = yield* Effect.flip(Future.result(yield* Executor.submit(countPrimes, -1)))
      assert.instanceOf(error, PrimeLimitError)
      assert.strictEqual((error as PrimeLimitError).limit, -1)
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect(
    "fromFunction runs sync and Promise-returning functions; a throw becomes TaskError with name, message, stack",
    () =>
      Effect.gen(function* () {
        const square = Task.fromFunction("square", (n: number) => n * n)
        const later = Task.fromFunction("later", async (s: string) => s.toUpperCase())
        const throws = Task.fromFunction("throws", (_: number): number => {
          throw new RangeError("out of range")
        })
        const rejects = Task.fromFunction("rejects", (_: number) => Promise.reject(new TypeError("bad type")))
        assert.strictEqual(square.codec, "structured-clone")
        assert.strictEqual(yield* Future.result(yield* Executor.submit(square, 7)), 49)
        assert.strictEqual(yield* Future.result(yield* Executor.submit(later, "up")), "UP")
        const thrown = yield* Effect.flip(Future.result(yield* Executor.submit(throws, 1)))
        assert.instanceOf(thrown, FutureError.TaskError)
        assert.deepStrictEqual([thrown._tag, (thrown as FutureError.TaskError).name], ["TaskError", "RangeError"])
        assert.strictEqual((thrown as FutureError.TaskError).message, "out of range")
        assert.match((thrown as FutureError.TaskError).stack ?? "", /RangeError: out of range/)
        const rejected = yield* Effect.flip(Future.result(yield* Executor.submit(rejects, 1)))
        assert.strictEqual((rejected as FutureError.TaskError).name, "TypeError")
      }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("a Task whose run throws gives a failed future (a defect), not a failed submit", () =>
    Effect.gen(function* () {
      const throwsEagerly = Task.make("throwsEagerly", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n): Effect.Effect<number> => {
          if (n < 0) throw new RangeError("negative")
          return Effect.succeed(n)
        }
      })
      const future = yield* Executor.submit(throwsEagerly, -1)
      const exit = yield* Future.await(future)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.strictEqual(yield* Future.state(future), "failed")
      const mapped = yield* Effect.exit(
        Stream.runCollect(
          Executor.map(
            (n: number): Effect.Effect<number> => {
              throw new RangeError(`bad ${n}`)
            },
            [1]
          )
        )
      )
      assert.isTrue(Exit.isFailure(mapped) && Cause.hasDies(mapped.cause))
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it("TaskError.fromThrown keeps a non-Error thrown value as its message", () => {
    const error = FutureError.TaskError.fromThrown(42)
    assert.deepStrictEqual([error.name, error.message], ["Error", "42"])
  })
})
