/**
 * The measuring harness: every table starts its contenders once, runs them interleaved (A B C, B C A, …) for a
 * warm-up and then the measured rounds, and reports min / median / max and the speed relative to the
 * table's baseline. Only ratios measured in the same run mean anything on a shared machine.
 */
import { Effect, type Layer, ManagedRuntime } from "effect"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from "node:os"
import { performance } from "node:perf_hooks"

/** What one round may report instead of the harness's own clock. */
export interface Measurement {
  /** Seconds the round took, when the contender timed itself (a Python process, a worker). */
  readonly seconds?: number | undefined
  /** Bytes of heap the round held at its peak, when the contender measured it. */
  readonly heapBytes?: number | undefined
}

/** A started contender: one call per round, one to release what it started. */
export interface Running {
  readonly round: () => Promise<Measurement | void>
  readonly close: () => Promise<void>
}

/** One contestant of a table. */
export interface Contender {
  readonly name: string
  /** Starts its pool (not measured). */
  readonly start: () => Promise<Running>
  /** Why it does not run on this machine; it is then listed as skipped. */
  readonly skip?: string | undefined
}

/** One table: contenders doing the same work, compared with one of them. */
export interface TableSpec {
  readonly title: string
  /** Operations (tasks, round trips) per round, for per-operation figures. */
  readonly operations: number
  readonly unit: string
  /** The name of the contender the others are compared with. */
  readonly baseline: string
  readonly contenders: ReadonlyArray<Contender>
  /**
   * Warm-up rounds for this table when more than the run's: rounds of a few milliseconds are still mostly
   * JIT compilation after one.
   */
  readonly warmup?: number | undefined
  /** Measured rounds for this table when more than the run's (not in a smoke run): short, noisy rounds. */
  readonly rounds?: number | undefined
  /**
   * A full garbage collection before each round (with `--expose-gc`): for a table whose contenders leave
   * large garbage (megabytes of copied buffers) that the next one would otherwise pay for.
   */
  readonly collectGarbage?: boolean | undefined
}

export interface Row {
  readonly name: string
  readonly skipped?: string | undefined
  /** Seconds per round, in round order. */
  readonly samples: ReadonlyArray<number>
  readonly min: number
  readonly median: number
  readonly max: number
  /** Operations per second at the median. */
  readonly perSecond: number
  /** Microseconds per operation at the median. */
  readonly microsPer: number
  /** The baseline's median time over this row's: above 1 is faster than the baseline. */
  readonly speed: number
  /** Median heap bytes per round, if measured. */
  readonly heapBytes?: number | undefined
  /**
   * Median CPU time of this process (main thread and worker threads, not child processes) over wall time:
   * well under 1 core while the pool is busy means the time goes to waiting for messages, not to work.
   */
  readonly cpuShare: number
}

export interface Table {
  readonly title: string
  readonly operations: number
  readonly unit: string
  readonly baseline: string
  readonly rows: ReadonlyArray<Row>
}

export interface RunOptions {
  readonly rounds: number
  readonly warmup: number
  readonly log: (line: string) => void
  /** Run only the contenders whose name contains this (for profiling one of them). */
  readonly contender?: string | undefined
}

export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** A pause before each round: garbage collection work the previous round left pending runs in it, not in this round. */
const settle = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))

const collectGarbage = (globalThis as { gc?: () => void }).gc

const runRound = async (
  running: Running,
  spec: TableSpec
): Promise<{ seconds: number; heapBytes: number | undefined; cpuShare: number }> => {
  if (spec.collectGarbage === true) collectGarbage?.()
  await settle(20)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const measured = await running.round()
  const elapsed = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  return {
    seconds: measured?.seconds ?? elapsed,
    heapBytes: measured?.heapBytes,
    cpuShare: (cpu.user + cpu.system) / 1e6 / elapsed
  }
}

const closeTimeout = 5_000

/** Runs one table. A contender that throws makes the whole run fail (after closing what was started). */
export const runTable = async (spec: TableSpec, options: RunOptions): Promise<Table> => {
  const active = spec.contenders.filter(
    (contender) =>
      contender.skip === undefined &&
      (options.contender === undefined || options.contender.split("|").some((part) => contender.name.includes(part)))
  )
  const started: Array<{ contender: Contender; running: Running }> = []
  const samples = new Map<string, Array<number>>()
  const heaps = new Map<string, Array<number>>()
  const cpuShares = new Map<string, Array<number>>()
  try {
    for (const contender of active) {
      options.log(`  start ${contender.name}`)
      started.push({ contender, running: await contender.start() })
      samples.set(contender.name, [])
      heaps.set(contender.name, [])
      cpuShares.set(contender.name, [])
    }
    const warmup = Math.max(options.warmup, options.rounds > 1 ? (spec.warmup ?? 0) : 0)
    const rounds = Math.max(options.rounds, options.rounds > 1 ? (spec.rounds ?? 0) : 0)
    for (let round = 0; round < warmup + rounds; round++) {
      const measured = round >= warmup
      // Each round starts one contender further on (A B C, B C A, C A B, …): none always runs right after the
      // same neighbour and pays for its garbage.
      const order = started.map((_, index) => started[(index + round) % started.length]!)
      for (const { contender, running } of order) {
        const { seconds, heapBytes, cpuShare } = await runRound(running, spec)
        if (measured) {
          samples.get(contender.name)!.push(seconds)
          cpuShares.get(contender.name)!.push(cpuShare)
          if (heapBytes !== undefined) heaps.get(contender.name)!.push(heapBytes)
        }
      }
      options.log(
        `  ${measured ? `round ${round - warmup + 1}/${rounds}` : "warm-up"}: ${started
          .map(({ contender }) => {
            const last = samples.get(contender.name)!.at(-1)
            return measured && last !== undefined ? `${contender.name} ${(last * 1000).toFixed(0)} ms` : contender.name
          })
          .join(", ")}`
      )
    }
  } finally {
    for (const { contender, running } of started.reverse()) {
      // Some pools' close hangs now and then (poolifier's destroy, seen here): give up after a while, the
      // process exits at the end anyway.
      const closed = await Promise.race([
        running.close().then(() => true),
        new Promise<boolean>((resolve) => setTimeout(resolve, closeTimeout, false).unref())
      ])
      if (!closed) options.log(`  ${contender.name} did not close within ${closeTimeout / 1000} s; left behind`)
    }
  }
  const baselineMedian = median(samples.get(spec.baseline) ?? [])
  const rows = spec.contenders.map((contender): Row => {
    const values = samples.get(contender.name) ?? []
    const mid = median(values)
    const heap = heaps.get(contender.name) ?? []
    return {
      name: contender.name,
      skipped: contender.skip,
      samples: values,
      min: Math.min(...values),
      median: mid,
      max: Math.max(...values),
      perSecond: spec.operations / mid,
      microsPer: (mid * 1e6) / spec.operations,
      speed: baselineMedian / mid,
      heapBytes: heap.length > 0 ? median(heap) : undefined,
      cpuShare: median(cpuShares.get(contender.name) ?? [])
    }
  })
  return { title: spec.title, operations: spec.operations, unit: spec.unit, baseline: spec.baseline, rows }
}

/** Runs `total` async operations with at most `inFlight` of them outstanding: the Promise peers' driver. */
export const pipeline = async (total: number, inFlight: number, operation: (index: number) => Promise<unknown>) => {
  let next = 0
  const lane = async () => {
    while (next < total) {
      const index = next++
      await operation(index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane))
}

export interface Machine {
  readonly cpus: number
  readonly availableParallelism: number
  readonly cpuModel: string
  readonly node: string
  readonly platform: string
  readonly totalMemoryGiB: number
  readonly python: string | undefined
  /** `os.loadavg()` when the run started: other work on a shared machine takes cores from the pools. */
  readonly loadAverage: ReadonlyArray<number>
  readonly date: string
  /** The commit measured, and whether the work tree had uncommitted changes. */
  readonly commit: string
  readonly peers: Record<string, string>
}

const peerNames = ["piscina", "tinypool", "workerpool", "poolifier", "p-limit", "p-map", "effect"]

const versionOf = (name: string): string => {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version
  } catch {
    return "?"
  }
}

export const pythonVersion = (): string | undefined => {
  try {
    return execFileSync("python3", ["--version"], { encoding: "utf8" }).trim()
  } catch {
    return undefined
  }
}

const commitOf = (): string => {
  try {
    const cwd = new URL("../../../", import.meta.url)
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8" }).trim()
    // The bench's own outputs do not count: a run rewrites them.
    const dirty = execFileSync(
      "git",
      [
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ".",
        ":!bench-results.json",
        ":!docs/benchmarks.md",
        ":!docs/benchmarks.svg"
      ],
      { cwd, encoding: "utf8" }
    )
    return dirty.trim() === "" ? head : `${head} with uncommitted changes`
  } catch {
    return "unknown"
  }
}

export const machine = (): Machine => ({
  cpus: cpus().length,
  availableParallelism: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? "unknown",
  node: process.version,
  platform: `${platform()} ${release()}`,
  totalMemoryGiB: Math.round(totalmem() / 2 ** 30),
  python: pythonVersion(),
  loadAverage: loadavg(),
  date: new Date().toISOString(),
  commit: commitOf(),
  peers: Object.fromEntries(peerNames.map((name) => [name, versionOf(name)]))
})

/**
 * A contender that runs an Effect each round, with its services built once by `layer` (a pool started
 * before the first round and kept until the table ends).
 */
export const effectContender = <R, E>(
  name: string,
  layer: Layer.Layer<R, E>,
  round: Effect.Effect<Measurement | void, unknown, R>
): Contender => ({
  name,
  start: async () => {
    const runtime = ManagedRuntime.make(layer)
    await runtime.runPromise(Effect.void)
    return { round: () => runtime.runPromise(round), close: () => runtime.dispose() }
  }
})

/** A contender with nothing to start. */
export const plainContender = (name: string, round: () => Promise<Measurement | void>): Contender => ({
  name,
  start: async () => ({ round, close: async () => {} })
})
