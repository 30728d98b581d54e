import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { program } from "../src/tracing.ts"

describe("tracing across workers", () => {
  it.live(
    "a request through a thread pool and a process pool is one trace in a tracer installed only in the caller",
    () =>
      Effect.gen(function* () {
        const lines = yield* program
        assert.strictEqual(lines[1], "9 spans in 1 trace:", lines.join("\n"))
        const shape = lines.slice(2).map((line) => line.replace(/  [\d.]+ ms.*$/, ""))
        assert.deepStrictEqual(shape, [
          "GET /reports",
          "  effect_futures.task buildReport",
          "    effect_futures.run buildReport",
          "      load rows",
          "      render",
          "  effect_futures.task buildReport",
          "    effect_futures.run buildReport",
          "      load rows",
          "      render"
        ])
        assert.match(lines[2 + 1]!, /\(reports-threads\)/)
        assert.match(lines[2 + 2]!, /worker: pid \d+, thread \d+/)
        assert.match(lines[2 + 5]!, /\(reports-processes\)/)
      }),
    60_000
  )
})
