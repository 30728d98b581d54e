/**
 * A runner process of the cluster benchmark: `node cluster.runner.ts <sqlite file | postgres:// URL> <port>
 * [PostgreSQL connections]`. Serves `tasks.ts`
 * on worker threads (the default local executor) with the package's default settings, prints `ready` once
 * built, and runs until killed.
 */
import { NodeRuntime } from "@effect/platform-node"
import { ClusterExecutor } from "@effect-futures/cluster"
import { Effect, Layer } from "effect"

const [database, port, connections] = process.argv.slice(2)
const runner = { host: "127.0.0.1", port: Number(port) }

const RunnerLive = ClusterExecutor.layerRunner({ module: new URL("./tasks.ts", import.meta.url) }).pipe(
  Layer.provide(
    database!.startsWith("postgres://")
      ? ClusterExecutor.layerPostgres({ url: database!, runner, maxConnections: Number(connections ?? 10) })
      : ClusterExecutor.layerSqlite({ path: database!, runner })
  )
)

Layer.launch(Layer.effectDiscard(Effect.sync(() => console.log("ready"))).pipe(Layer.provide(RunnerLive))).pipe(
  NodeRuntime.runMain
)
