// A user's app in plain JavaScript that never imports Effect: the three Promise executors of
// @effect-futures/promise from the installed packages. Exits non-zero with the first mismatch.
import {
  AsyncPoolExecutor,
  CancelledError,
  ExecutorShutdownError,
  ProcessPoolExecutor,
  TaskError,
  ThreadPoolExecutor,
  wait
} from "@effect-futures/promise"
import { cube, explode, where } from "./plain.tasks.mjs"

const module = new URL("./plain.tasks.mjs", import.meta.url)

const expect = (label, actual, expected) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

const workers = async (name, executor, inChild) => {
  try {
    await executor.ready
    expect(`${name}: submit + result`, await executor.submit(cube, 3).result(), 27)
    const cubes = []
    for await (const n of executor.map(cube, [1, 2, 3], { chunkSize: 2 })) cubes.push(n)
    expect(`${name}: map`, cubes, [1, 8, 27])
    const error = await executor.submit(explode, "bad input").exception()
    expect(`${name}: a throw arrives as TaskError`, error instanceof TaskError && [error.name, error.message], [
      "TypeError",
      "bad input"
    ])
    expect(`${name}: ran in another process`, (await executor.submit(where).result()) !== process.pid, inChild)
    let notATask
    try {
      executor.submit((x) => x * 2, 3)
    } catch (error) {
      notATask = error instanceof TypeError && /where a task is needed.*defineTask/.test(error.message)
    }
    expect(`${name}: a plain function is a TypeError that shows defineTask`, notATask, true)
  } finally {
    await executor.shutdown()
  }
  let refused = false
  try {
    executor.submit(cube, 1)
  } catch (error) {
    refused = error instanceof ExecutorShutdownError
  }
  expect(`${name}: submit after shutdown`, refused, true)
}

const asyncPool = async () => {
  const executor = new AsyncPoolExecutor({ maxWorkers: 2 })
  try {
    const futures = [30, 10, 20].map((ms) =>
      executor.submit(() => new Promise((resolve) => setTimeout(resolve, ms, ms)))
    )
    expect("AsyncPoolExecutor: submit(fn, ...args)", await executor.submit(async (x) => x * 2, 3).result(), 6)
    const { done } = await wait(futures)
    expect("AsyncPoolExecutor: wait", done.size, 3)
    expect("AsyncPoolExecutor: results", await Promise.all(futures.map((f) => f.result())), [30, 10, 20])
    const controller = new AbortController()
    const stopped = executor.submitWith(
      { signal: controller.signal },
      (signal) => new Promise((_, reject) => signal.addEventListener("abort", reject))
    )
    controller.abort()
    expect("AsyncPoolExecutor: abort", (await stopped.exception().catch((e) => e)) instanceof CancelledError, true)
    const lengths = []
    for await (const n of executor.map(async (word) => word.length, ["a", "bb"])) lengths.push(n)
    expect("AsyncPoolExecutor: map", lengths, [1, 2])
  } finally {
    await executor.shutdown()
  }
}

try {
  await workers("ThreadPoolExecutor", new ThreadPoolExecutor({ module, maxWorkers: 2 }), false)
  await workers("ProcessPoolExecutor", new ProcessPoolExecutor({ module, maxWorkers: 2 }), true)
  await asyncPool()
  const runtime = process.versions.bun === undefined ? `Node ${process.versions.node}` : `Bun ${process.versions.bun}`
  console.log(`plain-JavaScript consumer ok on ${runtime}`)
} catch (error) {
  console.error(error)
  process.exitCode = 1
}
