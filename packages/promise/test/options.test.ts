import { AsyncPoolExecutor, ProcessPoolExecutor, ThreadPoolExecutor } from "@effect-futures/promise"
import { describe, expect, it } from "vitest"

const module = new URL("./fixtures/tasks.mjs", import.meta.url)

/** What the constructor throws: Effect's `IllegalArgumentError` (Python's `ValueError`), naming the class. */
const thrown = (construct: () => unknown): Error => {
  try {
    construct()
  } catch (error) {
    expect((error as { _tag?: string })._tag).toBe("IllegalArgumentError")
    return error as Error
  }
  throw new Error("expected the constructor to throw")
}

describe.each([
  { name: "ThreadPoolExecutor", make: (options: object) => new ThreadPoolExecutor(options as any) },
  { name: "ProcessPoolExecutor", make: (options: object) => new ProcessPoolExecutor(options as any) }
])("$name: options are checked in the constructor", ({ name, make }) => {
  it("a wrong option throws from the constructor, naming the class, the option and the value", () => {
    const cases: ReadonlyArray<readonly [object, string]> = [
      [{ maxWorkers: 2, minWorkers: 5 }, `${name}: minWorkers must be at most maxWorkers (2), got 5`],
      [{ interruptGracePeriod: "2 secs" }, `${name}: interruptGracePeriod must be a duration, got 2 secs`],
      [{ maxWorker: 2 }, `${name}: maxWorker is not an option (did you mean maxWorkers?), got maxWorker: 2`],
      [{ maxWorkers: 2.5 }, `${name}: maxWorkers must be a positive integer, got 2.5`]
    ]
    for (const [options, message] of cases) expect(thrown(() => make({ module, ...options })).message).toBe(message)
  })

  it("unref is the executor's own: it is not an option", () => {
    expect(thrown(() => make({ module, unref: false })).message).toMatch(new RegExp(`^${name}: unref is not an option`))
  })
})

describe("AsyncPoolExecutor: options are checked in the constructor", () => {
  it("a wrong option throws from the constructor, naming the class, the option and the value", () => {
    expect(thrown(() => new AsyncPoolExecutor({ maxWorkers: 1.5 })).message).toBe(
      "AsyncPoolExecutor: maxWorkers must be a positive integer, got 1.5"
    )
    expect(thrown(() => new AsyncPoolExecutor({ maxworkers: 4 } as any)).message).toBe(
      "AsyncPoolExecutor: maxworkers is not an option (did you mean maxWorkers?), got maxworkers: 4"
    )
  })
})

describe("a timeout that is not a duration", () => {
  it("rejects result and exception with an error naming them, a done future too", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 1 })
    const done = executor.submit(async () => 1)
    await done.result()
    const pending = executor.submitWith(
      {},
      (signal) => new Promise((resolve) => signal.addEventListener("abort", resolve))
    )
    for (const future of [done, pending]) {
      await expect(future.result({ timeout: "2 secs" as any })).rejects.toThrow(
        "future.result: timeout must be a duration, got 2 secs"
      )
      await expect(future.exception({ timeout: Number.NaN })).rejects.toThrow(
        "future.exception: timeout must be a duration, got NaN"
      )
    }
    await pending.interrupt()
  })
})

describe("a timeout longer than a platform timer", () => {
  it("waits: result({ timeout: '30 days' }) and Infinity do not fire at once", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 1 })
    for (const timeout of ["30 days", Infinity] as const) {
      const later = executor.submit(() => new Promise((resolve) => setTimeout(() => resolve("late"), 50)))
      expect(await later.result({ timeout })).toBe("late")
    }
  })
})
