// What a user's app does with the installed @effect-futures/cluster: the in-memory cluster (`layerTest`) runs
// a .ts task module's tasks; values and typed errors come back as themselves, an id runs once. Exits non-zero
// with the first mismatch.
import { Executor, Future } from "@effect-futures/core"
import { ClusterExecutor } from "@effect-futures/cluster"
import * as Effect from "effect/Effect"
import { measure, TooLongError } from "./measure.tasks.ts"

const expect = (label: string, actual: unknown, expected: unknown) =>
  JSON.stringify(actual) === JSON.stringify(expected)
    ? Effect.void
    : Effect.die(new Error(`${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`))

const program = Effect.gen(function* () {
  const measured = yield* Future.result(yield* Executor.submit(measure, "four", { id: "measure-four" }))
  yield* expect("cluster: a task's value", measured.length, 4)
  const again = yield* Future.result(yield* Executor.submit(measure, "four", { id: "measure-four" }))
  yield* expect("cluster: the same id answers the same result", again, measured)
  const error = yield* Executor.submit(measure, "far too long").pipe(Effect.flatMap(Future.result), Effect.flip)
  yield* expect("cluster: a typed error arrives as its class", error instanceof TooLongError && error.length, 12)
}).pipe(Effect.provide(ClusterExecutor.layerTest({ module: new URL("./measure.tasks.ts", import.meta.url) })))

Effect.runPromise(program).then(
  () => console.log(`cluster consumer ok on Node ${process.versions.node}`),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
