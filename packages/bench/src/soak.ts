/**
 * Soak: 100,000 tasks through one pool with random crashes, hangs, cancels and interrupts, checking that
 * every future ends, and ends the way its task and what was done to it allow, and that the heap stays flat.
 * Not part of `pnpm bench` nor of the tests: `pnpm --filter @effect-futures/bench run soak [threads|processes]
 * [--tasks=100000] [--seed=1]`. Exits 1 if a future hangs or ends wrongly.
 *
 * Per task, at random: 0.1% crash their worker (BrokenExecutorError), 0.5% never end (interrupted after a
 * moment: cancelled), 0.5% spin 1 ms synchronously, 1% are cancelled at once (cancelled if still queued,
 * else they run), 1% are interrupted after a moment (cancelled, or done if they ended first), the rest echo.
 * Up to 256 in flight. The heap (after a forced GC) is sampled every 10% of the tasks.
 */
import { Executor, Future, FutureError } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Tasks from "./workers/soak.tasks.ts"

const args = process.argv.slice(2)
const kind = args.includes("processes") ? "processes" : "threads"
const option = (name: string, fallback: number) =>
  Number(args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback)
const total = option("tasks", 100_000)
const seed = option("seed", 1)
const module = new URL("./workers/soak.tasks.ts", import.meta.url)

/** mulberry32: a small seeded generator, so a failing run can be repeated. */
const random = (() => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
})()

type Kind = "echo" | "crash" | "hang" | "spin"
type Action = "none" | "cancel" | "interrupt"

const outcomes = new Map<string, number>()
const wrong: Array<string> = []

const outcomeOf = (exit: Exit.Exit<number, unknown>): string => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const error = Cause.squash(exit.cause)
  if (error instanceof FutureError.CancelledError) return "cancelled"
  if (error instanceof FutureError.BrokenExecutorError) return "broken"
  return `other: ${String(error)}`
}

const allowed = (kind: Kind, action: Action, outcome: string): boolean => {
  if (outcome === "cancelled") return action !== "none" || kind === "hang"
  switch (kind) {
    case "echo":
    case "spin":
      return outcome === "succeeded"
    case "crash":
      return outcome === "broken"
    case "hang":
      return false
  }
}

const runOne = (i: number) =>
  Effect.gen(function* () {
    const r = random()
    const kind: Kind = r < 0.001 ? "crash" : r < 0.006 ? "hang" : r < 0.011 ? "spin" : "echo"
    const a = random()
    const action: Action = a < 0.01 ? "cancel" : a < 0.02 ? "interrupt" : "none"
    const task =
      kind === "crash" ? Tasks.crash : kind === "hang" ? Tasks.hang : kind === "spin" ? Tasks.spin : Tasks.echo
    const future = yield* Executor.submit(task, kind === "spin" ? 1 : i)
    if (action === "cancel") yield* Future.cancel(future)
    if (action === "interrupt" || kind === "hang") {
      yield* Effect.sleep(`${Math.floor(random() * 3)} millis`)
      yield* Future.interrupt(future)
    }
    const exit = yield* Future.await(future).pipe(
      Effect.timeoutOrElse({ duration: "60 seconds", orElse: () => Effect.succeed(undefined) })
    )
    const outcome = exit === undefined ? "hung" : outcomeOf(exit as Exit.Exit<number, unknown>)
    outcomes.set(`${kind}/${action}/${outcome}`, (outcomes.get(`${kind}/${action}/${outcome}`) ?? 0) + 1)
    if (!allowed(kind, action, outcome)) wrong.push(`task ${i} (${kind}, ${action}) ended ${outcome}`)
  })

const heap = () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed / 2 ** 20
}

const program = Effect.gen(function* () {
  const step = Math.max(1, Math.floor(total / 10))
  const samples: Array<string> = []
  const started = performance.now()
  for (let from = 0; from < total; from += step) {
    const to = Math.min(total, from + step)
    const t0 = performance.now()
    yield* Effect.forEach(
      Array.from({ length: to - from }, (_, j) => from + j),
      runOne,
      { concurrency: 256, discard: true }
    )
    const stats = yield* Executor.stats
    const line = `${to} tasks: ${((performance.now() - t0) / 1000).toFixed(1)} s, heap ${heap().toFixed(1)} MB, workers ${stats.workers}, busy ${stats.busy}, queued ${stats.queued}`
    samples.push(line)
    console.log(line)
  }
  const stats = yield* Executor.stats
  return { samples, stats, seconds: (performance.now() - started) / 1000 }
})

const layer =
  kind === "threads"
    ? NodeExecutor.layerWorkerThreads({ module, maxWorkers: 2, interruptGracePeriod: "200 millis" })
    : NodeExecutor.layerChildProcesses({ module, maxWorkers: 2, interruptGracePeriod: "200 millis" })

console.log(`soak: ${total} tasks on 2 ${kind}, seed ${seed}; heap at start ${heap().toFixed(1)} MB`)
const result = await Effect.runPromise(Effect.provide(program, layer))
console.log(`done in ${result.seconds.toFixed(1)} s; heap after the pool closed ${heap().toFixed(1)} MB`)
console.log(
  `stats: completed ${result.stats.completed}, failed ${result.stats.failed}, cancelled ${result.stats.cancelled}`
)
for (const [key, count] of [...outcomes].sort()) console.log(`  ${key}: ${count}`)
const ended = [...outcomes.values()].reduce((a, b) => a + b, 0)
if (ended !== total) wrong.push(`${ended} futures checked, not ${total}`)
if (result.stats.completed + result.stats.failed + result.stats.cancelled !== total) wrong.push("stats do not add up")
if (wrong.length > 0) {
  console.log(`WRONG (${wrong.length}):\n${wrong.slice(0, 20).join("\n")}`)
  process.exit(1)
}
console.log("every future ended as allowed")
