/**
 * Lecture 23.1 on a cluster: the same prime counting, now on two runner processes and a client sharing one
 * SQLite file (the embedded default), through `ClusterExecutor`. The program is the one of `primes.ts`:
 * `Executor.map` over the workloads; only the Layer changed. Then a runner is killed mid-run, and its tasks
 * finish on the other one: durable tasks are stored before they are sent, so none is lost.
 *
 * Dask:
 *   client = Client("scheduler:8786")
 *   futures = client.map(compute_prime_count, workloads)
 *   results = client.gather(futures)
 */
import { ClusterExecutor } from "@effect-futures/cluster"
import { Executor, Future } from "@effect-futures/core"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer, Stream } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { countPrimesBelow } from "./tasks/primes.tasks.ts"
import { countPrimesOnRunner, demoShardingConfig } from "./tasks/clusterPrimes.tasks.ts"

const LIMIT = 600_000
// Tasks go to runners by a hash of their id (Effect Cluster places entities, it does not balance load), so the
// split evens out over many tasks, not over a few.
const workloads = Array.from({ length: 16 }, () => LIMIT)

const freePort = Effect.callback<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
  })
})

/** A runner process, named for the printout; stopped (SIGKILL) when the scope closes if it still runs. */
const runner = (name: string, path: string) =>
  Effect.gen(function* () {
    const port = yield* freePort
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [new URL("./clusterRunner.ts", import.meta.url).pathname, path, String(port)], {
          stdio: ["ignore", "pipe", "inherit"],
          env: { ...process.env, RUNNER_NAME: name }
        })
      ),
      (child) => kill(child)
    )
    yield* Effect.callback<void, Error>((resume) => {
      child.stdout!.on("data", (data) => String(data).includes("ready") && resume(Effect.void))
      child.once("exit", (code) => resume(Effect.fail(new Error(`runner ${name} exited (${code})`))))
    })
    return { name, child }
  })

const kill = (child: ChildProcess) =>
  Effect.callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill("SIGKILL")
  })

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const started = performance.now()
    const value = yield* effect
    return { value, millis: performance.now() - started }
  })

export const program = Effect.gen(function* () {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "effect-futures-demo-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )
  const path = join(dir, "cluster.db")
  console.log(`${workloads.length} workloads: primes below ${LIMIT.toLocaleString("en")}`)
  const sequential = yield* timed(Effect.sync(() => workloads.map(countPrimesBelow)))
  console.log(`sequential (this process):    ${sequential.millis.toFixed(0).padStart(5)} ms`)

  const [alpha, beta] = yield* Effect.all([runner("alpha", path), runner("beta", path)], { concurrency: 2 })
  const ClusterLive = ClusterExecutor.layer({ durability: "durable" }).pipe(
    Layer.provide(
      ClusterExecutor.layerSqlite({
        path,
        shardingConfig: demoShardingConfig
      })
    )
  )

  yield* Effect.gen(function* () {
    // The program of primes.ts: map the task over the workloads, results in submission order.
    // Both runners joined, but the shards settle between them a moment later: warm up until both answer.
    const serving = new Set<string>()
    for (let round = 0; round < 40 && serving.size < 2; round++) {
      const warm = yield* Stream.runCollect(Executor.map(countPrimesOnRunner, [10, 20, 30, 40, 50, 60, 70, 80]))
      for (const result of warm) serving.add(result.runner)
      if (serving.size < 2) yield* Effect.sleep("250 millis")
    }
    const cluster = yield* timed(Stream.runCollect(Executor.map(countPrimesOnRunner, workloads)))
    const ran = cluster.value.map((result) => result.runner)
    const count = (name: string) => ran.filter((runner) => runner === name).length
    console.log(
      `2 runner processes (cluster): ${cluster.millis.toFixed(0).padStart(5)} ms  ` +
        `speedup ${(sequential.millis / cluster.millis).toFixed(2)}x  same counts: ` +
        `${cluster.value.every((result, i) => result.count === sequential.value[i])}`
    )
    console.log(`  which runner ran each workload: ${ran.join(" ")} (alpha ${count("alpha")}, beta ${count("beta")})`)

    // Failover: submit again, kill alpha once it has answered one, and wait for every future.
    console.log("a runner killed mid-run:")
    const futures = yield* Effect.forEach(workloads, (limit, i) =>
      Executor.submit(countPrimesOnRunner, limit, { id: `failover-${i}` })
    )
    const first = yield* Future.result(futures[0]!)
    const victim = first.runner === "alpha" ? alpha : beta
    yield* kill(victim.child)
    const killedAt = performance.now()
    console.log(`  killed ${victim.name} (SIGKILL) after its first answer`)
    const results = yield* Effect.forEach(futures, (future) => Future.result(future))
    console.log(
      `  every future succeeded ${(performance.now() - killedAt).toFixed(0)} ms after the kill; ` +
        `ran on: ${results.map((result) => result.runner).join(" ")}`
    )
    console.log(`  the survivor re-ran what ${victim.name} never answered (at-least-once: tasks must be idempotent)`)
  }).pipe(Effect.provide(ClusterLive))
}).pipe(Effect.scoped)

if (import.meta.main) {
  console.log("== Lecture 23.1 on a cluster: two runner processes and a client on one SQLite file ==")
  NodeRuntime.runMain(program)
}
