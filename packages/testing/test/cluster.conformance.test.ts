import { ClusterExecutor } from "@effect-futures/cluster"
import * as ExecutorConformance from "../src/ExecutorConformance.ts"

ExecutorConformance.suite(
  "ClusterExecutor.layerTest conformance",
  ClusterExecutor.layerTest({ module: ExecutorConformance.tasksModule })
)
