// The easy mistakes of a Python user, from plain JavaScript: each gets an answer that says what went wrong
// and what to write instead, at the line that made it, and no argument is dropped in silence.
import { AsyncPoolExecutor, CancelledError, ProcessPoolExecutor, ThreadPoolExecutor } from "@effect-futures/promise"
import { describe, expect, it } from "vitest"
import { square } from "./fixtures/tasks.mjs"

const module = new URL("./fixtures/tasks.mjs", import.meta.url)

describe("plain JavaScript: the easy mistakes", () => {
  for (const [name, make] of [
    ["ThreadPoolExecutor", () => new ThreadPoolExecutor({ module, maxWorkers: 1 })],
    ["ProcessPoolExecutor", () => new ProcessPoolExecutor({ module, maxWorkers: 1 })]
  ]) {
    it(`${name}: submit and map with a plain function throw a TypeError that shows defineTask`, async () => {
      const executor = make()
      try {
        let thrown
        try {
          executor.submit((x) => x * 2, 3)
        } catch (error) {
          thrown = error
        }
        expect(thrown).toBeInstanceOf(TypeError)
        expect(thrown.message).toMatch(new RegExp(`^${name}\\.submit: a function was given where a task is needed`))
        expect(thrown.message).toContain('defineTask("double", (x) => x * 2)')
        expect(thrown.message).toContain("executor.submit(double, 3)")
        expect(() => executor.map((x) => x * 2, [1, 2, 3])).toThrow(
          new RegExp(`^${name}\\.map: a function was given where a task is needed: .*defineTask`)
        )
        expect(await executor.submit(square, 5).result()).toBe(25)
      } finally {
        await executor.shutdown()
      }
    })

    it(`${name}: submit(task, 1, 2) is a TypeError, not a second input dropped; an unknown option is refused`, async () => {
      const executor = make()
      try {
        expect(() => executor.submit(square, 5, 6)).toThrow(
          new RegExp(`^${name}\\.submit: a task takes one input.*submit\\(add, \\[1, 2\\]\\)`)
        )
        expect(() => executor.submit(square, 5, {}, 6)).toThrow(TypeError)
        expect(() => executor.submit(square, 5, { timout: "1 second" })).toThrow(
          `${name}.submit: timout is not an option (did you mean timeout?)`
        )
        expect(await executor.submit(square, 5, { timeout: "1 minute" }).result()).toBe(25)
      } finally {
        await executor.shutdown()
      }
    })
  }

  it("AsyncPoolExecutor: submit(fn, ...args) calls fn(...args), as Python's submit(fn, *args)", async () => {
    const executor = new AsyncPoolExecutor({ maxWorkers: 2 })
    try {
      expect(await executor.submit(async (x) => x * 2, 3).result()).toBe(6)
      expect(await executor.submit((a, b) => a + b, 2, 3).result()).toBe(5)
      // An object that looks like options is an argument like any other.
      const options = { timeout: 1 }
      expect(await executor.submit((value) => value, options).result()).toBe(options)
    } finally {
      await executor.shutdown()
    }
  })

  it("AsyncPoolExecutor: submitWith(options, fn, ...args) gives fn its AbortSignal first, then the arguments", async () => {
    const executor = new AsyncPoolExecutor({ maxWorkers: 2 })
    try {
      const controller = new AbortController()
      const seen = []
      let started
      const running = new Promise((resolve) => (started = resolve))
      const future = executor.submitWith(
        { signal: controller.signal },
        (signal, label) =>
          new Promise((resolve) => {
            seen.push(label)
            signal.addEventListener("abort", () => resolve(seen.push(`${label}: aborted`)))
            started()
          }),
        "call"
      )
      // The call starts after submitWith has returned (Python's submit): abort it once it runs.
      await running
      controller.abort()
      expect(await future.result().catch((error) => error)).toBeInstanceOf(CancelledError)
      expect(seen).toEqual(["call", "call: aborted"])
      const both = await executor
        .submitWith({ timeout: 1_000 }, (signal, a, b) => [signal.aborted, a, b], 1, 2)
        .result()
      expect(both).toEqual([false, 1, 2])
      expect(() => executor.submitWith(async (x) => x, 3)).toThrow(TypeError)
      expect(() => executor.submitWith({ timeuot: 10 }, async () => 1)).toThrow(
        "AsyncPoolExecutor.submitWith: timeuot is not an option (did you mean timeout?), got timeuot: 10"
      )
    } finally {
      await executor.shutdown()
    }
  })
})
