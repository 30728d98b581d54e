import { ExecutorConformance } from "@effect-futures/testing"
import { ClusterExecutor } from "../src/index.ts"

// The in-memory cluster: client, Effect Cluster's messages and replies, and a runner on layerFiber.
ExecutorConformance.suite(
  "ClusterExecutor.layerTest conformance",
  ClusterExecutor.layerTest({ module: ExecutorConformance.tasksModule, maxWorkers: 2 })
)
