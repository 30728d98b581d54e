/**
 * One runner process of the cluster example: `node clusterRunner.ts <sqlite file> <port>`. It serves the tasks
 * of `tasks/clusterPrimes.tasks.ts` on one worker thread, prints `ready` once it has joined the cluster, and
 * runs until it is stopped.
 */
import { ClusterExecutor } from "@effect-futures/cluster"
import { NodeExecutor } from "@effect-futures/node"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer } from "effect"
import { demoShardingConfig } from "./tasks/clusterPrimes.tasks.ts"

const [path, port] = process.argv.slice(2)
const module = new URL("./tasks/clusterPrimes.tasks.ts", import.meta.url)

const RunnerLive = ClusterExecutor.layerRunner({
  module,
  // One worker per runner: two runners on two cores.
  executor: NodeExecutor.layerWorkerThreads({ module, maxWorkers: 1 })
}).pipe(
  Layer.provide(
    ClusterExecutor.layerSqlite({
      path: path!,
      runner: { host: "127.0.0.1", port: Number(port) },
      shardingConfig: demoShardingConfig
    })
  )
)

Layer.launch(Layer.effectDiscard(Effect.sync(() => console.log("ready"))).pipe(Layer.provide(RunnerLive))).pipe(
  NodeRuntime.runMain
)
