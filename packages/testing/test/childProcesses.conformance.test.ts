import { NodeExecutor } from "@effect-futures/node"
import * as ExecutorConformance from "../src/ExecutorConformance.ts"

ExecutorConformance.suite(
  "layerChildProcesses conformance",
  NodeExecutor.layerChildProcesses({ module: ExecutorConformance.tasksModule, maxWorkers: 2 })
)
