import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Executor, FutureError, Task } from "@effect-futures/core"
import { zipIterables } from "../src/internal/zip.ts"

const power = Task.make("power", {
  payload: Schema.Tuple([Schema.Number, Schema.Number]),
  success: Schema.Number,
  run: ([base, exponent]) => Effect.succeed(base ** exponent)
})

/** Counts the items a generator yields and whether it was closed. */
const counting = <A>(items: ReadonlyArray<A>) => {
  const seen = { pulled: 0, closed: false }
  function* generate() {
    try {
      for (const item of items) {
        seen.pulled++
        yield item
      }
    } finally {
      seen.closed = true
    }
  }
  return { iterable: generate(), seen }
}

describe("zipIterables", () => {
  it("reads the iterables side by side and stops with the shortest", () => {
    assert.deepStrictEqual(
      Array.from(
        zipIterables<[number, string]>([
          [1, 2, 3],
          ["a", "b"]
        ])
      ),
      [
        [1, "a"],
        [2, "b"]
      ]
    )
    assert.deepStrictEqual(Array.from(zipIterables<[number]>([[1, 2]])), [[1], [2]])
    assert.deepStrictEqual(Array.from(zipIterables<[]>([])), [])
  })

  it("closes the iterators it did not exhaust, and pulls nothing after the shortest ended", () => {
    const long = counting([1, 2, 3, 4, 5])
    const short = counting(["a", "b"])
    assert.deepStrictEqual(Array.from(zipIterables<[number, string]>([long.iterable, short.iterable])), [
      [1, "a"],
      [2, "b"]
    ])
    // The third item of the first iterable was pulled before the second one ended (as Python's zip does).
    assert.deepStrictEqual(long.seen, { pulled: 3, closed: true })
    assert.deepStrictEqual(short.seen, { pulled: 2, closed: true })
  })

  it("a reader that stops early closes every iterator", () => {
    const first = counting([1, 2, 3])
    const second = counting([4, 5, 6])
    for (const [a] of zipIterables<[number, number]>([first.iterable, second.iterable])) if (a === 1) break
    assert.isTrue(first.seen.closed)
    assert.isTrue(second.seen.closed)
  })
})

describe("Executor.mapZip", () => {
  it.effect("runs a Task on each tuple, in order, and stops at the shortest iterable", () =>
    Effect.gen(function* () {
      const results = yield* Stream.runCollect(
        Executor.mapZip(power, [
          [1, 2, 3, 4],
          [5, 3, 4]
        ])
      )
      assert.deepStrictEqual(Array.from(results), [1, 8, 81])
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("passes the items to a function as its arguments", () =>
    Effect.gen(function* () {
      const labels = yield* Stream.runCollect(
        Executor.mapZip(
          (letter: string, n: number, mark: boolean) => Effect.succeed(`${letter}${n}${mark ? "!" : ""}`),
          [
            ["a", "b", "c"],
            [1, 2, 3],
            [true, false]
          ]
        )
      )
      assert.deepStrictEqual(Array.from(labels), ["a1!", "b2"])
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("with chunkSize, tuples go in chunks and come back one by one", () =>
    Effect.gen(function* () {
      const xs = Array.from({ length: 10 }, (_, i) => i)
      const results = yield* Stream.runCollect(Executor.mapZip(power, [xs, xs.map(() => 2)], { chunkSize: 4 }))
      assert.deepStrictEqual(
        Array.from(results),
        xs.map((x) => x * x)
      )
    }).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 2 })))
  )

  it.effect("pulls the iterables lazily: an infinite one beside a finite one ends", () =>
    Effect.gen(function* () {
      function* naturals() {
        for (let n = 0; ; n++) yield n
      }
      const results = yield* Stream.runCollect(
        Executor.mapZip((n: number, s: string) => Effect.succeed(`${s}${n}`), [naturals(), ["x", "y", "z"]], {
          buffer: 2
        })
      )
      assert.deepStrictEqual(Array.from(results), ["x0", "y1", "z2"])
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("the first failure in submission order fails the stream, after the results before it", () =>
    Effect.gen(function* () {
      const failing = Task.make("failing", {
        payload: Schema.Tuple([Schema.Number, Schema.String]),
        success: Schema.String,
        failure: FutureError.TaskError,
        run: ([n, s]) =>
          n === 2 ? Effect.fail(new FutureError.TaskError({ name: "Error", message: `bad ${s}` })) : Effect.succeed(s)
      })
      const seen: Array<string> = []
      const error = yield* Stream.runForEach(
        Executor.mapZip(failing, [
          [1, 2, 3],
          ["a", "b", "c"]
        ]),
        (s) => Effect.sync(() => seen.push(s))
      ).pipe(Effect.flip)
      assert.deepStrictEqual(seen, ["a"])
      assert.instanceOf(error, FutureError.TaskError)
      assert.strictEqual((error as FutureError.TaskError).message, "bad b")
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("no iterables: no results (Python's executor.map(fn) yields nothing)", () =>
    Effect.gen(function* () {
      const results = yield* Stream.runCollect(Executor.mapZip(() => Effect.succeed(1), []))
      assert.strictEqual(results.length, 0)
    }).pipe(Effect.provide(Executor.layerFiber()))
  )

  it.effect("the timeout counts from when the stream starts", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Stream.runCollect(
          Executor.mapZip((n: number) => Effect.sleep("10 seconds").pipe(Effect.as(n)), [[1, 2]], {
            timeout: "1 second"
          })
        ).pipe(Effect.flip)
      )
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.instanceOf(error, FutureError.TimeoutError)
    }).pipe(Effect.provide(Executor.layerFiber()))
  )
})
