import { describe, expectTypeOf, it } from "vitest"
import { Effect, Schema, Stream } from "effect"
import { Executor, FutureError, Task } from "@effect-futures/core"

const power = Task.make("power", {
  payload: Schema.Tuple([Schema.Number, Schema.Number]),
  success: Schema.Number,
  run: ([base, exponent]) => Effect.succeed(base ** exponent)
})

type MapErrors = FutureError.CancelledError | FutureError.ExecutorShutdownError | FutureError.TimeoutError

describe("types of mapZip, runInExecutor, terminateWorkers", () => {
  it("mapZip types each iterable by the task's tuple, and a function's arguments by the iterables", () => {
    expectTypeOf(Executor.mapZip(power, [[1], [2]])).toEqualTypeOf<
      Stream.Stream<number, FutureError.TaskBoundaryError | MapErrors, Executor.Executor>
    >()
    // @ts-expect-error: the second iterable must hold numbers
    Executor.mapZip(power, [[1], ["2"]])
    expectTypeOf(Executor.mapZip((a: string, n: number) => Effect.succeed(a.length + n), [["a"], [1]])).toEqualTypeOf<
      Stream.Stream<number, MapErrors, Executor.Executor | Executor.LocalExecutor>
    >()
    // @ts-expect-error: the function takes a number, not a string
    Executor.mapZip((n: number) => Effect.succeed(n), [["a"]])
  })

  it("runInExecutor needs LocalExecutor for a plain function, any Executor for a Task", () => {
    expectTypeOf(Executor.runInExecutor((a: number, b: string) => Promise.resolve(a + b.length), 1, "x")).toEqualTypeOf<
      Effect.Effect<
        number,
        FutureError.TaskError | FutureError.CancelledError | FutureError.ExecutorShutdownError,
        Executor.LocalExecutor
      >
    >()
    // @ts-expect-error: the arguments must match the function's parameters
    Executor.runInExecutor((a: number) => a, "1")
    expectTypeOf(Executor.runInExecutor(power, [2, 3])).toEqualTypeOf<
      Effect.Effect<
        number,
        | FutureError.TaskBoundaryError
        | FutureError.CancelledError
        | FutureError.ExecutorShutdownError
        | FutureError.TaskEncodeError,
        Executor.Executor
      >
    >()
  })

  it("terminateWorkers and killWorkers fail only with NoWorkersError", () => {
    expectTypeOf(Executor.terminateWorkers).toEqualTypeOf<
      Effect.Effect<void, FutureError.NoWorkersError, Executor.Executor>
    >()
    expectTypeOf(Executor.killWorkers).toEqualTypeOf<
      Effect.Effect<void, FutureError.NoWorkersError, Executor.Executor>
    >()
  })

  it("layerFiber's initializer input must match its task's payload", () => {
    const configure = Task.make("configure", { payload: Schema.String, success: Schema.Void, run: () => Effect.void })
    Executor.layerFiber({ initializer: { task: configure, input: "x" } })
    // @ts-expect-error: the input must be a string
    Executor.layerFiber({ initializer: { task: configure, input: 1 } })
  })
})
