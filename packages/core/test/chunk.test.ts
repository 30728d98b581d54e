import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { chunkStep, runChunk, runChunkUnsafe } from "@effect-futures/core/internal/chunk"

describe("chunk rule", () => {
  it("a success goes on, a failure or defect stops, an interruption interrupts", () => {
    assert.strictEqual(chunkStep(Exit.succeed(1)), "next")
    assert.strictEqual(chunkStep(Exit.fail("e")), "stop")
    assert.strictEqual(chunkStep(Exit.die("d")), "stop")
    assert.strictEqual(chunkStep(Exit.interrupt()), "interrupt")
  })

  it.effect("runChunk keeps every exit up to and including the first failure", () =>
    Effect.gen(function* () {
      const ran: Array<number> = []
      const exits = yield* runChunk(
        (n: number) =>
          Effect.sync(() => ran.push(n)).pipe(Effect.andThen(n === 2 ? Effect.fail("two") : Effect.succeed(n))),
        [1, 2, 3]
      )
      assert.deepStrictEqual(ran, [1, 2])
      assert.deepStrictEqual(exits, [Exit.succeed(1), Exit.fail("two")])
    })
  )

  it.effect("runChunk is interrupted by an input's interruption", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        runChunk((n: number) => (n === 1 ? Effect.interrupt : Effect.succeed(n)), [0, 1, 2])
      )
      assert.isTrue(Exit.hasInterrupts(exit))
    })
  )

  it("runChunkUnsafe applies the same rule to synchronous and asynchronous outcomes", () => {
    const finished: Array<[Array<string>, boolean]> = []
    let resumeLater: ((outcome: string) => void) | undefined
    const classify = (outcome: string) => (outcome.startsWith("ok") ? "next" : outcome === "int" ? "interrupt" : "stop")
    const async = runChunkUnsafe(
      ["a", "b", "c", "d"],
      (input, resume) => {
        if (input === "b") {
          resumeLater = resume
          return undefined
        }
        return input === "c" ? "failed c" : `ok ${input}`
      },
      classify,
      (outcomes, interrupted) => finished.push([outcomes, interrupted])
    )
    assert.isTrue(async)
    assert.deepStrictEqual(finished, [])
    resumeLater!("ok b")
    assert.deepStrictEqual(finished, [[["ok a", "ok b", "failed c"], false]])

    const interrupted: Array<[Array<string>, boolean]> = []
    const sync = runChunkUnsafe(
      ["x", "y"],
      (input) => (input === "y" ? "int" : `ok ${input}`),
      classify,
      (outcomes, wasInterrupted) => interrupted.push([outcomes, wasInterrupted])
    )
    assert.isFalse(sync)
    assert.deepStrictEqual(interrupted, [[[], true]])
  })
})
