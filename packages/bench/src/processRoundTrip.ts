/**
 * Comparison 2, empty-task round trip on a pool of 2 child processes: ours (`layerChildProcesses`) against
 * workerpool (process mode), tinypool (`runtime: "child_process"`), bare `process.send` echo children (the
 * floor, with Node's json and advanced serialization) and Python's `ProcessPoolExecutor`.
 */
import { Executor } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { Stream } from "effect"
import { Tinypool } from "tinypool"
import workerpool from "workerpool"
import { effectContender, type TableSpec } from "./harness.ts"
import { pythonContender } from "./python.ts"
import { promisePool, submitAndWait, tasksModule, type Shape } from "./threadRoundTrip.ts"
import { rawChildren } from "./workers/rawChildren.ts"
import { noop, noopFunction } from "./workers/tasks.ts"

const workers = 2
const poolWorker = new URL("./workers/pool.worker.ts", import.meta.url)

const oursLayer = () =>
  NodeExecutor.layerChildProcesses({ module: tasksModule, maxWorkers: workers, minWorkers: workers })

export const processRoundTrip = (options: { readonly tasks: number }): ReadonlyArray<TableSpec> => {
  const { tasks } = options
  const inputs = Array.from({ length: tasks }, (_, i) => i)
  const peers = (shape: Shape) => [
    promisePool(
      "raw process.send, advanced (floor)",
      () => rawChildren(workers, "advanced"),
      (pool, n) => pool.call(n),
      (pool) => pool.close(),
      tasks,
      shape
    ),
    promisePool(
      "raw process.send, json (floor)",
      () => rawChildren(workers, "json"),
      (pool, n) => pool.call(n),
      (pool) => pool.close(),
      tasks,
      shape
    ),
    promisePool(
      "workerpool (process)",
      () =>
        workerpool.pool(new URL("./workers/workerpool.worker.ts", import.meta.url).pathname, {
          minWorkers: workers,
          maxWorkers: workers,
          workerType: "process"
        }),
      (pool, n) => pool.exec("noop", [n]),
      async (pool) => {
        await pool.terminate()
      },
      tasks,
      shape
    ),
    promisePool(
      "tinypool (child_process)",
      () =>
        new Tinypool({ filename: poolWorker.href, runtime: "child_process", minThreads: workers, maxThreads: workers }),
      (pool, n) => pool.run(n),
      (pool) => pool.destroy(),
      tasks,
      shape
    )
  ]
  return [
    {
      title: `${tasks.toLocaleString("en-US")} empty tasks, 64 in flight`,
      operations: tasks,
      unit: "task",
      baseline: "Python submit + result",
      contenders: [
        effectContender("ours: submit + result", oursLayer(), submitAndWait(noop, inputs, 64)),
        effectContender("ours: Executor.map", oursLayer(), Stream.runDrain(Executor.map(noop, inputs, { buffer: 64 }))),
        effectContender(
          "ours: submit + result, Task.fromFunction",
          oursLayer(),
          submitAndWait(noopFunction, inputs, 64)
        ),
        ...peers(64),
        pythonContender("Python submit + result", workers, { op: "submit", tasks, inflight: 64 })
      ]
    },
    {
      title: `${tasks.toLocaleString("en-US")} empty tasks, all submitted at once (deep queue) and map`,
      operations: tasks,
      unit: "task",
      baseline: "Python submit + result",
      contenders: [
        effectContender("ours: submit + result", oursLayer(), submitAndWait(noop, inputs, "all")),
        effectContender(
          "ours: Executor.map, buffer 1024",
          oursLayer(),
          Stream.runDrain(Executor.map(noop, inputs, { buffer: 1024 }))
        ),
        effectContender(
          "ours: Executor.map, chunkSize 256",
          oursLayer(),
          Stream.runDrain(Executor.map(noop, inputs, { chunkSize: 256 }))
        ),
        ...peers("all"),
        pythonContender("Python submit + result", workers, { op: "submit_all", tasks }),
        pythonContender("Python map(chunksize=256)", workers, { op: "map", tasks, chunksize: 256 })
      ]
    }
  ]
}
