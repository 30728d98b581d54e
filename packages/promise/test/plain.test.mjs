// The Promise executors from plain JavaScript: no Effect import, no TypeScript. What a user of
// `concurrent.futures` writes, with JavaScript's habits (`for await`, `AbortSignal`, `await using`).
import {
  asCompleted,
  AsyncPoolExecutor,
  CancelledError,
  ExecutorShutdownError,
  ProcessPoolExecutor,
  TaskError,
  ThreadPoolExecutor,
  wait
} from "@effect-futures/promise"
import { describe, expect, it } from "vitest"
import { fail, sleep, square } from "./fixtures/tasks.mjs"

const module = new URL("./fixtures/tasks.mjs", import.meta.url)

describe("plain JavaScript", () => {
  for (const [name, make] of [
    ["ThreadPoolExecutor", () => new ThreadPoolExecutor({ module, maxWorkers: 2 })],
    ["ProcessPoolExecutor", () => new ProcessPoolExecutor({ module, maxWorkers: 2 })]
  ]) {
    it(`${name}: submit, map, errors, cancel and shutdown`, async () => {
      const executor = make()
      const future = executor.submit(square, 9)
      expect(await future.result()).toBe(81)
      const squares = []
      for await (const n of executor.map(square, [1, 2, 3])) squares.push(n)
      expect(squares).toEqual([1, 4, 9])
      const error = await executor
        .submit(fail, "plain")
        .result()
        .catch((e) => e)
      expect(error).toBeInstanceOf(TaskError)
      expect(error.message).toBe("plain")
      const long = executor.submit(sleep, 60_000)
      const { notDone } = await wait([long], { timeout: 10 })
      expect(notDone.has(long)).toBe(true)
      expect(await long.interrupt()).toBe(true)
      await executor.shutdown()
      expect(() => executor.submit(square, 1)).toThrow(ExecutorShutdownError)
    })
  }

  it("AsyncPoolExecutor: the p-limit use, with futures", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 2 })
    const delays = [30, 10, 20]
    const futures = delays.map((ms) => executor.submit(() => new Promise((resolve) => setTimeout(resolve, ms, ms))))
    const order = []
    for await (const future of asCompleted(futures)) order.push(await future.result())
    expect(order.toSorted((a, b) => a - b)).toEqual([10, 20, 30])
    const controller = new AbortController()
    const aborted = executor.submitWith(
      { signal: controller.signal },
      (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)))
    )
    controller.abort()
    expect(await aborted.result().catch((e) => e)).toBeInstanceOf(CancelledError)
    const lengths = []
    for await (const length of executor.map(async (word) => word.length, ["a", "bb", "ccc"])) lengths.push(length)
    expect(lengths).toEqual([1, 2, 3])
  })
})

describe("plain JavaScript: options are checked", () => {
  it("a wrong option throws from the constructor, a bad timeout rejects, each naming where and the value", async () => {
    expect(() => new ThreadPoolExecutor({ module, maxWorkers: 2, minWorkers: 5 })).toThrow(
      "ThreadPoolExecutor: minWorkers must be at most maxWorkers (2), got 5"
    )
    expect(() => new ProcessPoolExecutor({ module, interruptGracePeriod: "2 secs" })).toThrow(
      "ProcessPoolExecutor: interruptGracePeriod must be a duration, got 2 secs"
    )
    expect(() => new AsyncPoolExecutor({ maxWorker: 2 })).toThrow(
      "AsyncPoolExecutor: maxWorker is not an option (did you mean maxWorkers?), got maxWorker: 2"
    )
    await using executor = new AsyncPoolExecutor({ maxWorkers: 1 })
    const future = executor.submit(async () => 1)
    await expect(future.result({ timeout: "2 secs" })).rejects.toThrow(
      "future.result: timeout must be a duration, got 2 secs"
    )
    await expect(wait([future], { timeout: "2 secs" })).rejects.toThrow(
      "Future.wait: timeout must be a duration, got 2 secs"
    )
  })
})
