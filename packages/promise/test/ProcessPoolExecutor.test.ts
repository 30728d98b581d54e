import { CancelledError, ProcessPoolExecutor, TaskError } from "@effect-futures/promise"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { collect } from "./fixtures/promises.ts"
import { fail, sleep, square, whereAmI } from "./fixtures/tasks.mjs"

/** Gone, or a zombie: exited, waiting to be reaped by an init that may not reap (as in some containers). */
const hasExited = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return true
  }
  return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"))
}

const tasks = new URL("./fixtures/tasks.mjs", import.meta.url)

describe("ProcessPoolExecutor", () => {
  it("runs tasks in child processes", async () => {
    await using executor = new ProcessPoolExecutor({ module: tasks, maxWorkers: 2 })
    const { pid } = await executor.submit(whereAmI, undefined).result()
    expect(pid).not.toBe(process.pid)
    expect(await collect(executor.map(square, [1, 2, 3, 4]))).toEqual([1, 4, 9, 16])
    const error = await executor.submit(fail, "in a child").exception()
    expect(error).toBeInstanceOf(TaskError)
  })

  it("shutdown resolves once the children have exited", async () => {
    const executor = new ProcessPoolExecutor({ module: tasks, maxWorkers: 2, minWorkers: 2 })
    const pids = await Promise.all([1, 2].map(() => executor.submit(whereAmI, undefined).result()))
    await executor.shutdown()
    expect(pids.map(({ pid }) => hasExited(pid))).toEqual([true, true])
  })

  it("interrupt stops a task running in a child", async () => {
    await using executor = new ProcessPoolExecutor({ module: tasks, maxWorkers: 1 })
    await executor.ready
    const future = executor.submit(sleep, 60_000)
    expect(await future.interrupt()).toBe(true)
    expect(await future.result().catch((error: unknown) => error)).toBeInstanceOf(CancelledError)
  })

  it("executors never shut down do not keep a finished script alive, and leave no child behind", async () => {
    const script = spawn(process.execPath, [new URL("./fixtures/forgotten.mjs", import.meta.url).pathname], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    script.stdout.on("data", (chunk) => (output += String(chunk)))
    script.stderr.on("data", (chunk) => (output += String(chunk)))
    // "close" comes once every holder of the script's stdout is gone: its pool's children inherit it.
    const code = await new Promise<number | null>((resolve) => script.on("close", resolve))
    expect(code, output).toBe(0)
    expect(output).toContain("9 4")
    expect(output).toContain("late 144")
    const pids = output
      .match(/pids ([\d,]+)/)![1]!
      .split(",")
      .map(Number)
    expect(pids.length).toBeGreaterThan(0)
    expect(pids.map(hasExited)).toEqual(pids.map(() => true))
  }, 60_000)
})
