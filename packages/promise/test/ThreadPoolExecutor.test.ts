import {
  asCompleted,
  BrokenExecutorError,
  CancelledError,
  ExecutorShutdownError,
  TaskEncodeError,
  TaskError,
  TaskModuleError,
  ThreadPoolExecutor,
  TimeoutError,
  wait
} from "@effect-futures/promise"
import { describe, expect, it } from "vitest"
import { collect, rejection } from "./fixtures/promises.ts"
import { checkedSquare, NegativeError } from "./fixtures/typed.tasks.ts"
import { fail, sleep, square, whereAmI } from "./fixtures/tasks.mjs"

const tasks = new URL("./fixtures/tasks.mjs", import.meta.url)

describe("ThreadPoolExecutor", () => {
  it("runs a task in a worker thread and resolves with its value", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 2 })
    const future = executor.submit(square, 12)
    expect(await future.result()).toBe(144)
    expect(future.done()).toBe(true)
    expect((await executor.submit(whereAmI, undefined).result()).pid).toBe(process.pid)
  })

  it("tasks submitted before the pool is ready wait for it", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 2 })
    const futures = [1, 2, 3].map((n) => executor.submit(square, n))
    expect(futures.map((f) => f.done())).toEqual([false, false, false])
    expect(await Promise.all(futures.map((f) => f.result()))).toEqual([1, 4, 9])
  })

  it("a task submitted before the pool is ready can be cancelled, and never runs", async () => {
    const executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    const cancelled = executor.submit(sleep, 60_000)
    const interrupted = executor.submit(sleep, 60_000)
    const kept = executor.submit(square, 4)
    expect([cancelled.running(), cancelled.cancel(), cancelled.cancelled()]).toEqual([false, true, true])
    expect(await interrupted.interrupt()).toBe(true)
    expect(await kept.result()).toBe(16)
    expect(await rejection(cancelled.result())).toBeInstanceOf(CancelledError)
    // The two cancelled tasks never reached the pool: a shutdown that waits for every task returns at once.
    await executor.shutdown()
  })

  it("shutdown with cancelFutures before the pool is ready cancels what was submitted", async () => {
    const executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    const futures = [1, 2].map((n) => executor.submit(square, n))
    await executor.shutdown({ cancelFutures: true })
    expect(futures.map((f) => f.cancelled())).toEqual([true, true])
  })

  it("submit and map with a plain function throw a TypeError at once that shows defineTask", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    const submit = executor.submit.bind(executor) as (...args: ReadonlyArray<unknown>) => unknown
    const map = executor.map.bind(executor) as (...args: ReadonlyArray<unknown>) => unknown
    const double = (x: number) => x * 2
    expect(() => submit(double, 3)).toThrow(TypeError)
    expect(() => submit(double, 3)).toThrow(
      /^ThreadPoolExecutor\.submit: a function \(double\) was given where a task is needed: .*defineTask/
    )
    expect(() => map((x: number) => x * 2, [1, 2])).toThrow(
      /^ThreadPoolExecutor\.map: a function was given where a task is needed/
    )
    expect(() => submit("square", 3)).toThrow(/expected a task .*, got the string "square"/)
    // Nothing was submitted: the pool serves its tasks as before.
    expect(await executor.submit(square, 3).result()).toBe(9)
  })

  it("a throwing function rejects with TaskError; a Task.make failure with its own class", async () => {
    await using executor = new ThreadPoolExecutor({ module: new URL("./fixtures/typed.tasks.ts", import.meta.url) })
    const typed = await rejection(executor.submit(checkedSquare, -3).result())
    expect(typed).toBeInstanceOf(NegativeError)
    expect((typed as NegativeError).value).toBe(-3)
    await using plain = new ThreadPoolExecutor({ module: tasks })
    const error = await plain.submit(fail, "nope").exception()
    expect(error).toBeInstanceOf(TaskError)
    expect([(error as TaskError).name, (error as TaskError).message]).toEqual(["RangeError", "nope"])
  })

  it("a task module that cannot be loaded rejects ready and every future with TaskModuleError", async () => {
    const executor = new ThreadPoolExecutor({ module: new URL("./fixtures/missing.tasks.mjs", import.meta.url) })
    const early = executor.submit(square, 2)
    expect(await rejection(executor.ready)).toBeInstanceOf(TaskModuleError)
    expect(await rejection(early.result())).toBeInstanceOf(TaskModuleError)
    expect(await rejection(executor.submit(square, 3).result())).toBeInstanceOf(TaskModuleError)
    await executor.shutdown()
  })

  it("a bad option throws from the constructor; a module that fails to load does not", () => {
    expect(() => new ThreadPoolExecutor({ module: tasks, maxWorkers: -1 })).toThrow(/maxWorkers must be a positive/)
    const executor = new ThreadPoolExecutor({ module: new URL("./fixtures/missing.tasks.mjs", import.meta.url) })
    return expect(executor.shutdown()).resolves.toBeUndefined()
  })

  it("a task the module does not export fails its future with TaskEncodeError", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    await executor.ready
    expect(await rejection(executor.submit(checkedSquare, 2).result())).toBeInstanceOf(TaskEncodeError)
  })

  it("interrupt stops a running task in its worker; cancel returns false while it runs", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    await executor.ready
    const future = executor.submit(sleep, 60_000)
    expect(future.running()).toBe(true)
    expect(future.cancel()).toBe(false)
    expect(await future.interrupt()).toBe(true)
    expect(await rejection(future.result())).toBeInstanceOf(CancelledError)
    expect(await executor.submit(square, 5).result()).toBe(25)
  })

  it("a submit timeout stops the task in its worker and fails the future with TimeoutError", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    const future = executor.submit(sleep, 60_000, { timeout: 50 })
    expect(await rejection(future.result())).toBeInstanceOf(TimeoutError)
    expect(await executor.submit(square, 6, { id: "after-the-timeout" }).result()).toBe(36)
  })

  it("retry submits again after a failure when its predicate says so", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    let attempts = 0
    const error = await executor
      .submit(fail, "again", { retry: { times: 2, while: () => (attempts++, true) } })
      .exception()
    expect(error).toBeInstanceOf(TaskError)
    // Asked after each failed attempt: the first attempt and two more failed.
    expect(attempts).toBe(3)
  })

  it("an aborted signal interrupts the task", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    const future = executor.submit(sleep, 60_000, { signal: AbortSignal.timeout(50) })
    expect(await rejection(future.result())).toBeInstanceOf(CancelledError)
  })

  it("map yields in input order; chunkSize changes nothing in the results", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 2 })
    const inputs = Array.from({ length: 50 }, (_, i) => i)
    const plain = await collect(executor.map(square, inputs))
    const chunked = await collect(executor.map(square, inputs, { chunkSize: 8 }))
    expect(plain).toEqual(inputs.map((n) => n * n))
    expect(chunked).toEqual(plain)
  })

  it("breaking out of map interrupts the tasks still running", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 2 })
    const started = performance.now()
    for await (const ms of executor.map(sleep, [1, 60_000, 60_000], { buffer: 3 })) {
      expect(ms).toBe(1)
      break
    }
    // The shutdown of `await using` would wait a minute for a task left running.
    await executor.shutdown()
    expect(performance.now() - started).toBeLessThan(30_000)
  })

  it("map with a timeout throws TimeoutError", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    const loop = collect(executor.map(sleep, [60_000], { timeout: 100 }))
    expect(await rejection(loop)).toBeInstanceOf(TimeoutError)
  })

  it("wait and asCompleted take futures of different executors", async () => {
    await using executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 2 })
    const fast = executor.submit(sleep, 1)
    const slow = executor.submit(sleep, 60_000)
    const { done, notDone } = await wait([fast, slow], { returnWhen: "FIRST_COMPLETED" })
    expect([done.has(fast), notDone.has(slow)]).toEqual([true, true])
    const timedOut = await wait([slow], { timeout: 20 })
    expect(timedOut.notDone.has(slow)).toBe(true)
    const failing = executor.submit(fail, "x")
    const firstException = await wait([slow, failing], { returnWhen: "FIRST_EXCEPTION" })
    expect(firstException.done.has(failing)).toBe(true)
    const seen: Array<unknown> = []
    const iterator = asCompleted([slow, fast, fast], { timeout: 50 })
    const error = await rejection(
      (async () => {
        for await (const future of iterator) seen.push(future)
      })()
    )
    expect(seen).toEqual([fast])
    expect(error).toBeInstanceOf(TimeoutError)
    expect(await slow.interrupt()).toBe(true)
  })

  it("shutdown refuses later submits; cancelFutures cancels the queued tasks", async () => {
    const executor = new ThreadPoolExecutor({ module: tasks, maxWorkers: 1 })
    await executor.ready
    const running = executor.submit(sleep, 50)
    const queued = executor.submit(sleep, 50)
    const shutdown = executor.shutdown({ cancelFutures: true })
    expect(queued.cancelled()).toBe(true)
    expect(() => executor.submit(square, 1)).toThrow(ExecutorShutdownError)
    await shutdown
    expect(await running.result()).toBe(50)
  })

  it("a worker that dies fails its task with BrokenExecutorError and the pool keeps serving", async () => {
    await using executor = new ThreadPoolExecutor({
      module: new URL("./fixtures/exit.tasks.mjs", import.meta.url),
      maxWorkers: 1
    })
    const { exit, echo } = await import("./fixtures/exit.tasks.mjs")
    expect(await rejection(executor.submit(exit, 3).result())).toBeInstanceOf(BrokenExecutorError)
    expect(await executor.submit(echo, "still here").result()).toBe("still here")
  })
})
