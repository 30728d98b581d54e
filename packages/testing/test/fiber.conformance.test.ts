import { Executor } from "@effect-futures/core"
import * as ExecutorConformance from "../src/ExecutorConformance.ts"

ExecutorConformance.suite("layerFiber conformance", Executor.layerFiber({ maxWorkers: 2 }))
ExecutorConformance.suite("layerFiber conformance, one worker", Executor.layerFiber({ maxWorkers: 1 }))
