import { NodeExecutor } from "@effect-futures/node"
import * as ExecutorConformance from "../src/ExecutorConformance.ts"

ExecutorConformance.suite(
  "layerWorkerThreads conformance",
  NodeExecutor.layerWorkerThreads({ module: ExecutorConformance.tasksModule, maxWorkers: 2 })
)
