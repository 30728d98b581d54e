import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Executor, Future, FutureError } from "@effect-futures/core"

describe("Executor.terminateWorkers / killWorkers", () => {
  it.effect("an executor without workers fails with NoWorkersError and keeps serving", () =>
    Effect.gen(function* () {
      const terminated = yield* Effect.flip(Executor.terminateWorkers)
      assert.instanceOf(terminated, FutureError.NoWorkersError)
      assert.strictEqual(
        terminated.message,
        "Executor.terminateWorkers: this executor has no workers (its tasks run in this process)"
      )
      const killed = yield* Effect.flip(Executor.killWorkers)
      assert.instanceOf(killed, FutureError.NoWorkersError)
      assert.strictEqual(yield* Future.result(yield* Executor.submit(Effect.succeed(1))), 1)
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("they call the executor's forceShutdown with the operation", () =>
    Effect.gen(function* () {
      const operations: Array<Executor.ForceShutdownOperation> = []
      const base = yield* Executor.Executor
      const withWorkers = Layer.succeed(Executor.Executor)({
        ...base,
        forceShutdown: (operation) => Effect.sync(() => void operations.push(operation))
      })
      yield* Effect.andThen(Executor.terminateWorkers, Executor.killWorkers).pipe(Effect.provide(withWorkers))
      assert.deepStrictEqual(operations, ["terminate", "kill"])
    }).pipe(Effect.provide(Executor.layerFiber()))
  )
})
