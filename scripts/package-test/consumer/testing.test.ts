// What a user's tests do with the installed @effect-futures/testing (run by vitest in the packaging test): a
// scripted test with TestExecutor, a model-based property with ExecutorProgram and ExecutorModel, and the
// conformance suite on the in-process executor and on a worker-thread pool that loads the suite's task module
// from the installed package.
import { Executor, Future } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { ExecutorConformance, ExecutorModel, ExecutorProgram, TestExecutor } from "@effect-futures/testing"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("@effect-futures/testing, installed", () => {
  it("TestExecutor: when one task fails, the pipeline stops the others", async () => {
    const pipeline = Effect.gen(function* () {
      const futures = yield* Effect.forEach([1, 2, 3], (n) => Executor.submit(Effect.as(Effect.never, n)))
      yield* Future.wait(futures, { returnWhen: "FIRST_EXCEPTION" })
      yield* Effect.forEach(futures, Future.interrupt, { discard: true })
      return yield* Effect.forEach(futures, (future) => Future.result(future))
    })
    const states = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(pipeline)
        const [first, second, third] = yield* TestExecutor.awaitSubmitted(3)
        yield* TestExecutor.runNext
        yield* TestExecutor.runNext
        yield* TestExecutor.complete(second!, Exit.fail("declined"))
        expect(Exit.isFailure(yield* Fiber.await(fiber))).toBe(true)
        return yield* Effect.forEach([first!, second!, third!], Future.state)
      }).pipe(Effect.provide(TestExecutor.layer({ maxWorkers: 2 })))
    )
    expect(states).toEqual(["cancelled", "failed", "cancelled"])
  })

  it("TestExecutor follows ExecutorModel on random programs", async () => {
    await fc.assert(
      fc.asyncProperty(ExecutorProgram.program({ start: "manual" }), (program) =>
        Effect.runPromise(
          Effect.gen(function* () {
            const model = ExecutorModel.make({ maxWorkers: program.maxWorkers, start: "manual" })
            const futures: Array<Future.Future<unknown, unknown>> = []
            const submit = Effect.gen(function* () {
              const exit = yield* Effect.exit(Executor.submit(Effect.never))
              expect(Exit.isSuccess(exit)).toBe(ExecutorModel.submit(model) !== "rejected")
              if (Exit.isSuccess(exit)) futures.push(exit.value)
            })
            for (const command of program.commands) {
              switch (command._tag) {
                case "Submit":
                case "SubmitThenInterrupt":
                  yield* submit
                  break
                case "Shutdown":
                  ExecutorModel.shutdown(model, command)
                  yield* Executor.shutdown({ wait: false, cancelFutures: command.cancelFutures })
                  break
                case "AddDoneCallback":
                  break
                default:
                  ExecutorModel.step(model, command)
                  yield* TestExecutor.perform(command)
              }
              expect(yield* Effect.forEach(futures, Future.state)).toEqual(model.futures.map((future) => future.state))
            }
          }).pipe(Effect.provide(TestExecutor.layer({ maxWorkers: program.maxWorkers })))
        )
      ),
      { numRuns: 50 }
    )
  })
})

ExecutorConformance.suite("layerFiber, installed", Executor.layerFiber({ maxWorkers: 2 }))
ExecutorConformance.suite(
  "layerWorkerThreads, installed",
  NodeExecutor.layerWorkerThreads({ module: ExecutorConformance.tasksModule, maxWorkers: 2 })
)
