import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { program as blockingCalls } from "../src/blockingCalls.ts"
import { program as primes } from "../src/primes.ts"
import { program as randomFailures } from "../src/randomFailures.ts"

const TIMEOUT = 60_000

const millisIn = (line: string): number => Number(/in (\d+) ms/.exec(line)![1])
const ticksIn = (line: string): number => Number(/(\d+) ticks/.exec(line)![1])

describe("Lecture 23", () => {
  it.live(
    "23.1: the four workloads give the same counts sequentially, on worker threads and on child processes",
    () =>
      Effect.gen(function* () {
        const lines = yield* primes
        const counts = lines.filter((line) => line.includes("250150,250150,250150,250150"))
        assert.strictEqual(counts.length, 3, lines.join("\n"))
        assert.match(lines[2]!, /layerWorkerThreads\(4\).*speedup \d+\.\d\dx/)
        assert.match(lines[3]!, /layerChildProcesses\(4\).*speedup \d+\.\d\dx/)
        assert.match(lines[4]!, /fails in the worker with PrimeLimitError \(limit -1\)/)
      }),
    TIMEOUT
  )

  it.live(
    "23.2: every outcome is printed by its callback and counted through asCompleted; the seeded run is reproducible",
    () =>
      Effect.gen(function* () {
        const lines = yield* randomFailures
        assert.strictEqual(lines.filter((line) => line.startsWith("  callback:")).length, 8)
        assert.strictEqual(lines.filter((line) => line.startsWith("as_completed: handled TaskFailed")).length, 3)
        assert.strictEqual(lines.at(-1), "successes: 5, failures: 3 (of 8)")
      }),
    TIMEOUT
  )

  it.live(
    "23.3: four blocking calls take one call's time through the pool, and the main fiber keeps ticking",
    () =>
      Effect.gen(function* () {
        const lines = yield* blockingCalls
        const direct = lines.find((line) => line.includes("direct:"))!
        const pool = lines.find((line) => line.includes("pool:"))!
        assert.include(direct, "[100,400,900,1600]")
        assert.include(pool, "[100,400,900,1600]")
        assert.isAtLeast(millisIn(direct), 790)
        assert.strictEqual(ticksIn(direct), 0)
        // Coarse: ~200 ms expected; 3x slack for a loaded machine.
        assert.isBelow(millisIn(pool), 600)
        assert.isAtLeast(ticksIn(pool), 1)
      }),
    TIMEOUT
  )
})
