import {
  AsyncPoolExecutor,
  CancelledError,
  ExecutorShutdownError,
  type Future,
  TimeoutError
} from "@effect-futures/promise"
import { inspect } from "node:util"
import { describe, expect, it } from "vitest"
import { rejection } from "./fixtures/promises.ts"

interface Gate<A = void> {
  readonly promise: Promise<A>
  readonly open: (value: A) => void
}

const gate = <A = void>(): Gate<A> => {
  let open!: (value: A) => void
  const promise = new Promise<A>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

/** A function that runs until its signal aborts, and says when it started and how it ended. */
const untilAborted = () => {
  const started = gate()
  const aborted = gate<unknown>()
  const fn = (signal: AbortSignal) =>
    new Promise<never>((_, reject) => {
      started.open()
      signal.addEventListener("abort", () => {
        aborted.open(signal.reason)
        reject(signal.reason)
      })
    })
  return { fn, started, aborted }
}

describe("AsyncPoolExecutor", () => {
  it("submit returns a future whose result is the function's value", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 2 })
    const future = executor.submit(async () => 6 * 7)
    expect(await future.result()).toBe(42)
    expect([future.done(), future.running(), future.cancelled()]).toEqual([true, false, false])
  })

  it("submit(fn, ...args) calls fn(...args), as Python's does: no argument is taken for options", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 2 })
    expect(await executor.submit(async (x: number) => x * 2, 3).result()).toBe(6)
    const options = { signal: AbortSignal.abort(), timeout: 1 }
    const all = executor.submit((...args: ReadonlyArray<unknown>) => args, 1, options, "three")
    expect(await all.result()).toEqual([1, options, "three"])
    expect(await executor.submit(Math.max, 4, 9, 2).result()).toBe(9)
  })

  it("submitWith(options, fn, ...args) calls fn(signal, ...args) with the call's own AbortSignal", async () => {
    await using executor = new AsyncPoolExecutor()
    const seen = await executor
      .submitWith(
        { timeout: "1 minute" },
        (signal, a: number, b: string) => [signal instanceof AbortSignal, a, b],
        1,
        "b"
      )
      .result()
    expect(seen).toEqual([true, 1, "b"])
  })

  it("submitWith refuses a function where the options go (TypeError) and a wrong option (the options rule)", async () => {
    await using executor = new AsyncPoolExecutor()
    const submitWith = executor.submitWith.bind(executor) as (...args: ReadonlyArray<unknown>) => unknown
    expect(() => submitWith(async () => 1, 2)).toThrow(TypeError)
    expect(() => submitWith(async () => 1, 2)).toThrow(
      /the first argument is the options .*use submit\(fn, \.\.\.args\)/
    )
    expect(() => submitWith({ timout: 5 }, async () => 1)).toThrow(
      "AsyncPoolExecutor.submitWith: timout is not an option (did you mean timeout?), got timout: 5"
    )
    expect(() => submitWith({ timeout: "2 secs" }, async () => 1)).toThrow(
      "AsyncPoolExecutor.submitWith: timeout must be a duration, got 2 secs"
    )
    expect(() => submitWith({ signal: "stop" }, async () => 1)).toThrow(
      "AsyncPoolExecutor.submitWith: signal must be an AbortSignal, got stop"
    )
    expect(() => submitWith({}, 42)).toThrow(/AsyncPoolExecutor.submitWith: expected a function, got the number 42/)
  })

  it("submit and map refuse what is not a function with a TypeError at the call", async () => {
    await using executor = new AsyncPoolExecutor()
    const submit = executor.submit.bind(executor) as (...args: ReadonlyArray<unknown>) => unknown
    const map = executor.map.bind(executor) as (...args: ReadonlyArray<unknown>) => unknown
    expect(() => submit(3)).toThrow(TypeError)
    expect(() => submit(3)).toThrow("AsyncPoolExecutor.submit: expected a function, got the number 3")
    expect(() => map(undefined, [1])).toThrow("AsyncPoolExecutor.map: expected a function, got undefined")
  })

  it("result rejects with exactly what the function threw, and exception resolves with it", async () => {
    await using executor = new AsyncPoolExecutor()
    const thrown = new RangeError("too big")
    const future = executor.submit(() => {
      throw thrown
    })
    expect(await rejection(future.result())).toBe(thrown)
    expect(await future.exception()).toBe(thrown)
    expect(await executor.submit(async () => 1).exception()).toBeUndefined()
  })

  it("runs at most maxWorkers functions at once, the others in submission order", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 2 })
    let running = 0
    let most = 0
    const order: Array<number> = []
    const gates = Array.from({ length: 6 }, () => gate())
    const twoStarted = gate()
    const futures = gates.map((g, i) =>
      executor.submit(async () => {
        order.push(i)
        if (order.length === 2) twoStarted.open()
        most = Math.max(most, ++running)
        await g.promise
        running--
        return i
      })
    )
    // The calls start after submit returned, in submission order, as workers take them.
    await twoStarted.promise
    expect(futures.map((f) => f.running())).toEqual([true, true, false, false, false, false])
    for (const g of gates) g.open()
    expect(await Promise.all(futures.map((f) => f.result()))).toEqual([0, 1, 2, 3, 4, 5])
    expect(most).toBe(2)
    expect(order).toEqual([0, 1, 2, 3, 4, 5])
  })

  it("cancel returns true while pending (the function never runs) and false while running", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 1 })
    const blocker = gate()
    const started = gate()
    const running = executor.submit(() => (started.open(), blocker.promise))
    let ran = false
    const pending = executor.submit(async () => {
      ran = true
    })
    await started.promise
    expect(running.cancel()).toBe(false)
    expect(pending.cancel()).toBe(true)
    expect(pending.cancel()).toBe(true)
    expect(pending.cancelled()).toBe(true)
    expect(await rejection(pending.result())).toBeInstanceOf(CancelledError)
    await rejection(pending.exception()).then((error) => expect(error).toBeInstanceOf(CancelledError))
    blocker.open()
    await running.result()
    expect(ran).toBe(false)
  })

  it("interrupt aborts a running function's signal and the future ends cancelled", async () => {
    await using executor = new AsyncPoolExecutor()
    const task = untilAborted()
    const future = executor.submitWith({}, task.fn)
    await task.started.promise
    expect(future.running()).toBe(true)
    expect(await future.interrupt()).toBe(true)
    await task.aborted.promise
    expect(future.cancelled()).toBe(true)
    expect(await rejection(future.result())).toBeInstanceOf(CancelledError)
  })

  it("an aborted submitWith signal cancels a pending call and aborts a running one", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 1 })
    const task = untilAborted()
    const controller = new AbortController()
    const running = executor.submitWith({ signal: controller.signal }, task.fn)
    const pending = executor.submitWith({ signal: controller.signal }, async () => "never")
    await task.started.promise
    controller.abort(new Error("stop"))
    await task.aborted.promise
    expect(await rejection(running.result())).toBeInstanceOf(CancelledError)
    expect(pending.cancelled()).toBe(true)
    const already = executor.submitWith({ signal: AbortSignal.abort() }, async () => 1)
    expect(await rejection(already.result())).toBeInstanceOf(CancelledError)
  })

  it("a submitWith timeout aborts the call's signal and fails the future with TimeoutError", async () => {
    await using executor = new AsyncPoolExecutor()
    const task = untilAborted()
    const future = executor.submitWith({ timeout: 20 }, task.fn)
    expect(await rejection(future.result())).toBeInstanceOf(TimeoutError)
    await task.aborted.promise
    expect(future.cancelled()).toBe(false)
  })

  it("result with a timeout rejects with TimeoutError and leaves the future as it was", async () => {
    await using executor = new AsyncPoolExecutor()
    const g = gate<number>()
    const future = executor.submit(() => g.promise)
    const error = await rejection(future.result({ timeout: 10 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(future.running()).toBe(true)
    g.open(5)
    expect(await future.result({ timeout: "1 minute" })).toBe(5)
  })

  it("done callbacks run once each, in order, with the same future object; at once if it is done", async () => {
    await using executor = new AsyncPoolExecutor()
    const g = gate()
    const future = executor.submit(() => g.promise.then(() => "ok"))
    const calls: Array<[string, Future<string>]> = []
    future.addDoneCallback((f) => void calls.push(["first", f]))
    future.addDoneCallback(() => {
      throw new Error("a failing callback changes nothing")
    })
    future.addDoneCallback((f) => void calls.push(["second", f]))
    expect(calls).toEqual([])
    g.open()
    expect(await future.result()).toBe("ok")
    expect(calls.map(([name]) => name)).toEqual(["first", "second"])
    expect(calls.every(([, f]) => f === future)).toBe(true)
    future.addDoneCallback(() => void calls.push(["late", future]))
    expect(calls.map(([name]) => name)).toEqual(["first", "second", "late"])
  })

  it("cancel runs the done callbacks before it returns", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 1 })
    const blocker = gate()
    executor.submit(() => blocker.promise)
    const pending = executor.submit(async () => 1)
    let called = 0
    pending.addDoneCallback(() => void called++)
    expect(pending.cancel()).toBe(true)
    expect(called).toBe(1)
    blocker.open()
  })

  it("map yields results in input order, reading inputs lazily", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 4 })
    let read = 0
    function* inputs() {
      for (let i = 0; ; i++) {
        read++
        yield i
      }
    }
    const results: Array<number> = []
    for await (const n of executor.map(async (n: number) => n * n, inputs(), { buffer: 3 })) {
      results.push(n)
      if (results.length === 5) break
    }
    expect(results).toEqual([0, 1, 4, 9, 16])
    expect(read).toBeLessThan(20)
  })

  it("map throws the first failure in input order, after every result before it", async () => {
    await using executor = new AsyncPoolExecutor()
    const results: Array<number> = []
    const failure = new Error("three")
    const loop = async () => {
      for await (const n of executor.map(
        async (n: number) => {
          if (n === 3) throw failure
          return n
        },
        [1, 2, 3, 4]
      )) {
        results.push(n)
      }
    }
    expect(await rejection(loop())).toBe(failure)
    expect(results).toEqual([1, 2])
  })

  it("breaking out of map aborts the calls still running", async () => {
    await using executor = new AsyncPoolExecutor({ maxWorkers: 4 })
    const second = untilAborted()
    for await (const n of executor.map((n: number, signal) => (n === 0 ? n : second.fn(signal)), [0, 1], {
      buffer: 2
    })) {
      expect(n).toBe(0)
      await second.started.promise
      break
    }
    await second.aborted.promise
  })

  it("an aborted map signal stops the loop with the signal's reason", async () => {
    await using executor = new AsyncPoolExecutor()
    const task = untilAborted()
    const controller = new AbortController()
    const reason = new Error("enough")
    const iterator = executor.map((_: number, signal) => task.fn(signal), [1], { signal: controller.signal })
    const next = iterator.next()
    await task.started.promise
    controller.abort(reason)
    expect(await rejection(next)).toBe(reason)
    await task.aborted.promise
  })

  it("submit after shutdown throws ExecutorShutdownError; cancelFutures cancels what has not started", async () => {
    const executor = new AsyncPoolExecutor({ maxWorkers: 1 })
    const blocker = gate()
    const started = gate()
    const running = executor.submit(() => (started.open(), blocker.promise.then(() => "finished")))
    const pending = executor.submit(async () => "never")
    await started.promise
    const shutdown = executor.shutdown({ cancelFutures: true })
    expect(() => executor.submit(async () => 1)).toThrow(ExecutorShutdownError)
    expect(pending.cancelled()).toBe(true)
    blocker.open()
    await shutdown
    expect(await running.result()).toBe("finished")
  })

  it("shutdown waits for the running functions; without wait it resolves at once", async () => {
    const executor = new AsyncPoolExecutor()
    const g = gate()
    const started = gate()
    const future = executor.submit(() => (started.open(), g.promise))
    await started.promise
    await executor.shutdown({ wait: false })
    expect(future.running()).toBe(true)
    const waiting = executor.shutdown()
    g.open()
    await waiting
    expect(future.done()).toBe(true)
  })

  it("await using shuts the executor down when the block ends", async () => {
    let escaped: AsyncPoolExecutor | undefined
    {
      await using executor = new AsyncPoolExecutor()
      escaped = executor
      expect(await executor.submit(async () => "inside").result()).toBe("inside")
    }
    expect(() => escaped.submit(async () => 1)).toThrow(ExecutorShutdownError)
  })

  it("a bad option throws from the constructor", () => {
    expect(() => new AsyncPoolExecutor({ maxWorkers: 0 })).toThrow(/maxWorkers must be a positive integer, got 0/)
  })

  it("a future shows its state when printed", async () => {
    await using executor = new AsyncPoolExecutor()
    const future = executor.submit(async () => 1)
    await future.result()
    expect(inspect(future)).toContain("succeeded")
    expect(String(future)).toMatch(/^Future\(\d+, succeeded\)$/)
  })

  it("ready resolves", async () => {
    await using executor = new AsyncPoolExecutor()
    await expect(executor.ready).resolves.toBeUndefined()
  })
})
