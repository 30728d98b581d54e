import type { FutureError } from "@effect-futures/core"
import {
  AsyncPoolExecutor,
  type Future,
  ThreadPoolExecutor,
  type TimeoutError,
  wait,
  type WorkerError
} from "@effect-futures/promise"
import { describe, expectTypeOf, it } from "vitest"
import { square } from "./fixtures/tasks.mjs"
import { checkedSquare, type NegativeError } from "./fixtures/typed.tasks.ts"

declare const threads: ThreadPoolExecutor
declare const io: AsyncPoolExecutor

describe("types", () => {
  it("a task's future carries its value and its errors; a submit timeout adds TimeoutError", () => {
    expectTypeOf(threads.submit(checkedSquare, 2)).toEqualTypeOf<Future<number, NegativeError | WorkerError>>()
    expectTypeOf(threads.submit(checkedSquare, 2, { timeout: "1 second" })).toEqualTypeOf<
      Future<number, NegativeError | WorkerError | TimeoutError>
    >()
    expectTypeOf(threads.submit(square, 2).result()).toEqualTypeOf<Promise<number>>()
    expectTypeOf(threads.submit(square, 2).exception()).toEqualTypeOf<
      Promise<FutureError.TaskError | WorkerError | undefined>
    >()
  })

  it("an input of the wrong type does not compile", () => {
    // @ts-expect-error: checkedSquare takes a number
    threads.submit(checkedSquare, "2")
    // @ts-expect-error: a worker executor runs tasks, not closures
    threads.submit(async () => 1, undefined)
  })

  it("async functions: their awaited value; map yields in order", () => {
    expectTypeOf(io.submit(async () => 1)).toEqualTypeOf<Future<number>>()
    expectTypeOf(io.submit(() => "sync")).toEqualTypeOf<Future<string>>()
    expectTypeOf(io.map(async (word: string) => word.length, ["a"])).toEqualTypeOf<AsyncIterableIterator<number>>()
  })

  it("submit(fn, ...args) checks the arguments against fn's parameters; submitWith passes the signal first", () => {
    expectTypeOf(io.submit(async (x: number) => x * 2, 3)).toEqualTypeOf<Future<number>>()
    expectTypeOf(io.submit((a: number, b: string) => `${a}${b}`, 1, "b")).toEqualTypeOf<Future<string>>()
    // @ts-expect-error: the argument must be a number
    io.submit(async (x: number) => x * 2, "3")
    // @ts-expect-error: an argument is missing
    io.submit(async (x: number) => x * 2)
    // @ts-expect-error: submit gives no signal: that is submitWith
    io.submit(async (signal: AbortSignal) => signal.aborted)
    expectTypeOf(
      io.submitWith({ timeout: "1 second" }, (signal, url: string) => fetch(url, { signal }), "https://example.com")
    ).toEqualTypeOf<Future<Response>>()
    // @ts-expect-error: the options come first
    io.submitWith(async (signal: AbortSignal) => signal.aborted, {})
  })

  it("wait returns the same futures it was given", async () => {
    const futures = [io.submit(async () => 1), io.submit(async () => "a")]
    const { done } = await wait(futures)
    expectTypeOf(done).toEqualTypeOf<Set<Future<number> | Future<string>>>()
  })
})
