import { Executor } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as Tasks from "./fixtures/pool.tasks.ts"
import { pools, TIMEOUT } from "./fixtures/pools.ts"

describe.each(pools)("$name", (pool) => {
  it.live(
    "mapZip runs a Task on the tuples of several iterables, in a worker, and stops at the shortest",
    () =>
      Effect.gen(function* () {
        const results = yield* Stream.runCollect(
          Executor.mapZip(Tasks.power, [
            [1, 2, 3, 4],
            [5, 3, 4]
          ])
        )
        assert.deepStrictEqual(Array.from(results), [1, 8, 81])
        const chunked = yield* Stream.runCollect(
          Executor.mapZip(Tasks.power, [Array.from({ length: 20 }, (_, i) => i), Array(25).fill(2)], { chunkSize: 6 })
        )
        assert.deepStrictEqual(
          Array.from(chunked),
          Array.from({ length: 20 }, (_, i) => i * i)
        )
      }).pipe(Effect.provide(pool.layer())),
    TIMEOUT
  )
})
