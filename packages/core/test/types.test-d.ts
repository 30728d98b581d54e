import { describe, expectTypeOf, it } from "vitest"
import { Effect, Schema, Stream } from "effect"
import { Executor, Future, FutureError, Task } from "@effect-futures/core"

class PrimeLimitError extends Schema.TaggedError<PrimeLimitError>()("PrimeLimitError", { limit: Schema.Number }) {}

const countPrimes = Task.make("countPrimes", {
  payload: Schema.Number,
  success: Schema.Number,
  failure: PrimeLimitError,
  run: (limit) => (limit < 0 ? Effect.fail(new PrimeLimitError({ limit })) : Effect.succeed(limit))
})

describe("types", () => {
  it("a Task's schemas type its input, success and failure", () => {
    expectTypeOf(countPrimes).toEqualTypeOf<Task.Task<number, number, PrimeLimitError>>()
    expectTypeOf<Task.Payload<typeof countPrimes>>().toEqualTypeOf<number>()
    expectTypeOf<Task.Success<typeof countPrimes>>().toEqualTypeOf<number>()
    expectTypeOf<Task.Failure<typeof countPrimes>>().toEqualTypeOf<PrimeLimitError>()
    const legacy = Task.fromFunction("legacy", (n: number) => Promise.resolve(String(n)))
    expectTypeOf(legacy).toEqualTypeOf<Task.Task<number, string, FutureError.TaskError>>()
  })

  it("a Task's input must match its payload schema", () => {
    // @ts-expect-error: a string is not the task's number payload
    Executor.submit(countPrimes, "12")
  })

  it("Future.result carries the future's typed error", () => {
    const future = {} as Future.Future<number, PrimeLimitError>
    expectTypeOf(Future.result(future)).toEqualTypeOf<
      Effect.Effect<number, PrimeLimitError | FutureError.CancelledError | FutureError.TimeoutError>
    >()
    expectTypeOf(Future.exception(future)).toEqualTypeOf<
      Effect.Effect<
        import("effect").Option.Option<PrimeLimitError>,
        FutureError.CancelledError | FutureError.TimeoutError
      >
    >()
  })

  it("submitting a Task needs only Executor; its future adds the boundary errors", () => {
    expectTypeOf(Executor.submit(countPrimes, 10)).toEqualTypeOf<
      Effect.Effect<
        Future.Future<number, PrimeLimitError | FutureError.TaskBoundaryError>,
        FutureError.ExecutorShutdownError | FutureError.TaskEncodeError,
        Executor.Executor
      >
    >()
  })

  it("submitting a closure Effect needs an in-process executor", () => {
    const submitted = Executor.submit(Effect.succeed("closure"))
    expectTypeOf(submitted).toEqualTypeOf<
      Effect.Effect<Future.Future<string>, FutureError.ExecutorShutdownError, Executor.LocalExecutor>
    >()
    const providedWithOnlyExecutor = Effect.provideService(submitted, Executor.Executor, {} as Executor.ExecutorShape)
    expectTypeOf(providedWithOnlyExecutor).toEqualTypeOf<
      Effect.Effect<Future.Future<string>, FutureError.ExecutorShutdownError, Executor.LocalExecutor>
    >()
  })

  it("map with a closure needs LocalExecutor; with a Task only Executor", () => {
    expectTypeOf(Executor.map((n: number) => Effect.succeed(n), [1])).toExtend<
      Stream.Stream<number, unknown, Executor.Executor | Executor.LocalExecutor>
    >()
    expectTypeOf<
      Stream.Services<ReturnType<typeof Executor.map<number, number, PrimeLimitError>>>
    >().toEqualTypeOf<Executor.Executor>()
  })

  it("wait and asCompleted keep the futures' own types", () => {
    const numbers = {} as Future.Future<number>
    const strings = {} as Future.Future<string, Error>
    expectTypeOf(Future.wait([numbers, strings])).toEqualTypeOf<
      Effect.Effect<{
        readonly done: ReadonlySet<Future.Future<number> | Future.Future<string, Error>>
        readonly notDone: ReadonlySet<Future.Future<number> | Future.Future<string, Error>>
      }>
    >()
    expectTypeOf(Future.asCompleted([numbers, strings])).toEqualTypeOf<
      Stream.Stream<Future.Future<number> | Future.Future<string, Error>, FutureError.TimeoutError>
    >()
  })
})
