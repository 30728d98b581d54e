/**
 * The cluster executor's round trip and throughput, durable and volatile, on 1 and 2 runner processes sharing
 * one SQLite file (the embedded default), or one PostgreSQL database with `--postgres=<url>` (an empty database:
 * the runs leave their tables behind), with the client in this process. Each runner runs its tasks on its own
 * worker threads. Not part of `pnpm bench`: `pnpm --filter @effect-futures/bench run cluster [--tasks=2000]
 * [--rounds=3] [--postgres=postgres://…] [--connections=10]`. Prints a Markdown table (the one in docs/cluster.md).
 *
 * Client Layer and first task: the client's Layer build (its warm-up waits for a runner to answer) and its
 * first task after it, with the runners just started. Round trip: one task at a time (submit, then wait for the result), p50 and p99 over 200 tasks. Throughput:
 * `--tasks` empty tasks submitted at once with up to 256 in flight, the median of `--rounds` rounds.
 */
import { ClusterExecutor } from "@effect-futures/cluster"
import { Executor, Future } from "@effect-futures/core"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { noop } from "./workers/tasks.ts"

const args = process.argv.slice(2)
const option = (name: string, fallback: number) =>
  Number(args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback)
const tasks = option("tasks", 2000)
const rounds = option("rounds", 3)
const postgres = args.find((arg) => arg.startsWith("--postgres="))?.slice("--postgres=".length)
/** PostgreSQL connections per process (`layerPostgres`'s `maxConnections`). */
const connections = option("connections", 10)

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const startRunner = async (path: string): Promise<ChildProcess> => {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("./workers/cluster.runner.ts", import.meta.url)), path, String(port), String(connections)],
    { stdio: ["ignore", "pipe", "inherit"] }
  )
  await new Promise<void>((resolve, reject) => {
    let output = ""
    child.stdout!.on("data", (data) => {
      output += String(data)
      if (output.includes("ready")) resolve()
    })
    child.once("exit", (code) => reject(new Error(`a runner exited (${code}) before it was ready`)))
  })
  return child
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

let nextInput = 0

const roundTrip = Effect.gen(function* () {
  const times: Array<number> = []
  for (let i = 0; i < 200; i++) {
    const started = performance.now()
    yield* Future.result(yield* Executor.submit(noop, nextInput++))
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) }
})

const throughput = (count: number) =>
  Effect.gen(function* () {
    const started = performance.now()
    const futures = yield* Effect.forEach(
      Array.from({ length: count }, () => nextInput++),
      (n) => Executor.submit(noop, n)
    )
    yield* Effect.forEach(futures, (future) => Future.result(future), { discard: true })
    return count / ((performance.now() - started) / 1000)
  })

let databases = 0

/** A new database on the server of `url`, so that no runner of an earlier measurement is registered in it. */
const freshDatabase = (url: string): Promise<string> => {
  const name = `cluster_bench_${process.pid}_${++databases}`
  return Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql.unsafe(`CREATE DATABASE ${name}`)
    }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })))
  ).then(() => url.replace(/\/[^/]*$/, `/${name}`))
}

interface Row {
  readonly runners: number
  readonly durability: ClusterExecutor.Durability
  /** The client Layer's build, and its first task after it, right after the runners started. */
  readonly layer: number
  readonly firstTask: number
  readonly p50: number
  readonly p99: number
  readonly perSecond: number
}

const measure = async (runnerCount: number, durability: ClusterExecutor.Durability): Promise<Row> => {
  const dir = mkdtempSync(join(tmpdir(), "effect-futures-cluster-bench-"))
  const path = join(dir, "cluster.db")
  const runners: Array<ChildProcess> = []
  try {
    const database = postgres === undefined ? path : await freshDatabase(postgres)
    for (let i = 0; i < runnerCount; i++) runners.push(await startRunner(database))
    const client = ClusterExecutor.layer({ durability, maxWorkers: 256 }).pipe(
      Layer.provide(
        postgres === undefined
          ? ClusterExecutor.layerSqlite({ path })
          : ClusterExecutor.layerPostgres({ url: database, maxConnections: connections })
      )
    )
    const building = performance.now()
    return await Effect.runPromise(
      Effect.gen(function* () {
        const built = performance.now()
        yield* Future.result(yield* Executor.submit(noop, nextInput++))
        const firstTask = performance.now() - built
        const layer = built - building
        // Until every runner holds its shards (assignments are refreshed every 3 s) and the JIT has warmed up.
        yield* Effect.sleep("4 seconds")
        yield* throughput(Math.min(tasks, 1000))
        const { p50, p99 } = yield* roundTrip
        const perSecond: Array<number> = []
        for (let round = 0; round < rounds; round++) perSecond.push(yield* throughput(tasks))
        perSecond.sort((a, b) => a - b)
        return {
          runners: runnerCount,
          durability,
          layer,
          firstTask,
          p50,
          p99,
          perSecond: percentile(perSecond, 0.5)
        }
      }).pipe(Effect.provide(client))
    )
  } finally {
    await Promise.all(runners.map(stop))
    rmSync(dir, { recursive: true, force: true })
  }
}

const rows: Array<Row> = []
for (const durability of ["durable", "volatile"] as const) {
  for (const runnerCount of [1, 2]) {
    const row = await measure(runnerCount, durability)
    console.error(`${durability}, ${runnerCount} runner(s): ${JSON.stringify(row)}`)
    rows.push(row)
  }
}

console.log(
  `\n${postgres === undefined ? "SQLite" : "PostgreSQL"}: ${tasks} empty tasks per round, ${rounds} rounds; 200 one at a time for the round trip\n`
)
console.log("| mode | runners | client Layer | first task | round trip p50 | round trip p99 | throughput |")
console.log("|---|---|---|---|---|---|---|")
for (const row of rows) {
  console.log(
    `| ${row.durability} | ${row.runners} | ${row.layer.toFixed(0)} ms | ${row.firstTask.toFixed(0)} ms | ${row.p50.toFixed(1)} ms | ${row.p99.toFixed(1)} ms | ${Math.round(row.perSecond).toLocaleString("en-US")} tasks/s |`
  )
}
