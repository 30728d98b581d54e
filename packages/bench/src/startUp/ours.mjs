// One start-up round of ours in a fresh process, written as a program would be:
// `node ours.mjs threads|processes|imports [modules|indexes]`. With `modules` (the default) the program and its
// task module import effect and ours module by module, with `indexes` through the packages' indexes. Prints
// how long the pool took from the Layer's build to the first 4 results (the parent times the whole process),
// and exits without waiting for the workers to close. `imports` stops after the imports: the floor of the
// others.
const [kind, style = "modules"] = process.argv.slice(2)
const byModule = style === "modules"
const taskModule = new URL(byModule ? "./tasks.mjs" : "./tasksByIndex.mjs", import.meta.url)
const [Effect, Executor, Future, NodeExecutor, { noop }] = byModule
  ? await Promise.all([
      import("effect/Effect"),
      import("@effect-futures/core/Executor"),
      import("@effect-futures/core/Future"),
      import("@effect-futures/node/NodeExecutor"),
      import(taskModule.href)
    ])
  : await Promise.all([
      import("effect").then((effect) => effect.Effect),
      import("@effect-futures/core").then((core) => core.Executor),
      import("@effect-futures/core").then((core) => core.Future),
      import("@effect-futures/node").then((node) => node.NodeExecutor),
      import(taskModule.href)
    ])

if (kind === "imports") {
  console.log(JSON.stringify({ pool: 0 }))
  process.exit(0)
}

const poolStarted = performance.now()
const options = { module: taskModule, maxWorkers: 4, minWorkers: 4 }
const layer =
  kind === "processes" ? NodeExecutor.layerChildProcesses(options) : NodeExecutor.layerWorkerThreads(options)

const program = Effect.gen(function* () {
  const futures = yield* Effect.forEach([1, 2, 3, 4], (n) => Executor.submit(noop, n))
  const results = yield* Effect.forEach(futures, Future.result)
  const pool = (performance.now() - poolStarted) / 1000
  if (results.join() !== "1,2,3,4") throw new Error(`wrong results: ${results}`)
  console.log(JSON.stringify({ pool }))
  process.exit(0)
})

Effect.runFork(Effect.provide(program, layer))
