// One start-up round of a peer pool in a fresh process: `node peers.mjs piscina|tinypool|tinypool-process|
// workerpool|workerpool-process`. Loads the library, starts 4 workers, runs 4 empty tasks, prints how long
// the pool took from its creation to the 4 results (the parent times the whole process) and exits.
const peer = process.argv[2]
const worker = new URL("./peer.worker.mjs", import.meta.url)

const pools = {
  piscina: async () => {
    const { Piscina } = await import("piscina")
    const started = performance.now()
    const pool = new Piscina({ filename: worker.href, minThreads: 4, maxThreads: 4 })
    return { started, run: (n) => pool.run(n) }
  },
  tinypool: async () => {
    const { Tinypool } = await import("tinypool")
    const started = performance.now()
    const pool = new Tinypool({ filename: worker.href, minThreads: 4, maxThreads: 4 })
    return { started, run: (n) => pool.run(n) }
  },
  "tinypool-process": async () => {
    const { Tinypool } = await import("tinypool")
    const started = performance.now()
    const pool = new Tinypool({ filename: worker.href, runtime: "child_process", minThreads: 4, maxThreads: 4 })
    return { started, run: (n) => pool.run(n) }
  },
  workerpool: async () => {
    const { default: workerpool } = await import("workerpool")
    const started = performance.now()
    const pool = workerpool.pool(new URL("./workerpool.worker.mjs", import.meta.url).pathname, {
      minWorkers: 4,
      maxWorkers: 4,
      workerType: "thread"
    })
    return { started, run: (n) => pool.exec("noop", [n]) }
  },
  "workerpool-process": async () => {
    const { default: workerpool } = await import("workerpool")
    const started = performance.now()
    const pool = workerpool.pool(new URL("./workerpool.worker.mjs", import.meta.url).pathname, {
      minWorkers: 4,
      maxWorkers: 4,
      workerType: "process"
    })
    return { started, run: (n) => pool.exec("noop", [n]) }
  }
}

const { started, run } = await pools[peer]()
const results = await Promise.all([1, 2, 3, 4].map(run))
const pool = (performance.now() - started) / 1000
if (results.join() !== "1,2,3,4") throw new Error(`wrong results: ${results}`)
console.log(JSON.stringify({ pool }))
process.exit(0)
