/**
 * The behaviours every executor must have — the guarantees of the effect-futures contract — as a vitest
 * suite that an executor's author runs on their Layer: one terminal state per future, done callbacks once and
 * in order, Python's `cancel` rule, `interrupt`, shutdown and scope close (no future waits for ever), `map`'s
 * order and failure, `asCompleted` and `wait`, typed errors arriving as their class, `ExecutorShutdownError`
 * after shutdown, and the stats; and a property-based test of those invariants over random programs.
 *
 * The tests submit the task of `ConformanceTasks`: give a worker pool that module ({@link tasksModule}). Each
 * test builds the Layer anew, so a test that shuts the executor down leaves the next one a fresh executor.
 *
 * @since 0.1.0
 */
import type { Executor } from "@effect-futures/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { describe, it } from "vitest"
import { registerCallbacks } from "./internal/conformance/callbacks.ts"
import { registerCancellation } from "./internal/conformance/cancellation.ts"
import { registerCollecting } from "./internal/conformance/collecting.ts"
import { registerOutcomes } from "./internal/conformance/outcomes.ts"
import { registerProperty } from "./internal/conformance/property.ts"
import { registerShutdown } from "./internal/conformance/shutdown.ts"
import { registerStats } from "./internal/conformance/stats.ts"
import { type Tools, tools } from "./internal/conformance/tools.ts"

/**
 * The URL of the conformance task module, for a worker pool's `module` option: `ConformanceTasks.ts` beside
 * this module when the package runs from its sources, `ConformanceTasks.js` when it is built.
 *
 * @example
 * ```ts
 * import { NodeExecutor } from "@effect-futures/node"
 * import { ExecutorConformance } from "@effect-futures/testing"
 *
 * const layer = NodeExecutor.layerWorkerThreads({ module: ExecutorConformance.tasksModule, maxWorkers: 2 })
 * ```
 *
 * @since 0.1.0
 * @category task module
 */
export const tasksModule: URL = new URL(
  `./ConformanceTasks${/\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? ".js"}`,
  import.meta.url
)

/**
 * Options of {@link suite}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How long one step may take before the test fails as a hang (default 10 seconds). */
  readonly stepTimeout?: Duration.Input | undefined
  /** vitest's timeout of each test in milliseconds (default 30 000). */
  readonly testTimeout?: number | undefined
  /** How many random programs the property-based test runs (default 10; each builds the Layer). */
  readonly numRuns?: number | undefined
}

type Run = <A, E>(body: Effect.Effect<A, E, Executor.Executor>) => Promise<void>

/**
 * Registers the conformance tests of an executor Layer with vitest, under `describe(name)`. Call it at the top
 * level of a test file.
 *
 * @example
 * ```ts
 * // fiber.conformance.test.ts
 * import { Executor } from "@effect-futures/core"
 * import { ExecutorConformance } from "@effect-futures/testing"
 *
 * ExecutorConformance.suite("layerFiber", Executor.layerFiber({ maxWorkers: 2 }))
 * ```
 *
 * @since 0.1.0
 * @category suite
 */
export const suite = <E>(name: string, layer: Layer.Layer<Executor.Executor, E>, options?: Options): void => {
  const stepTimeout = options?.stepTimeout ?? "10 seconds"
  const testTimeout = options?.testTimeout ?? 30_000
  const run: Run = (body) =>
    Effect.runPromise(
      body.pipe(
        Effect.provide(layer),
        Effect.timeoutOrElse({
          duration: testTimeout,
          orElse: () => Effect.die(new Error(`the test did not end within ${testTimeout} ms`))
        }),
        Effect.asVoid,
        Effect.mapError((error) => new Error(`the test failed with ${String(error)}`))
      )
    )
  const test = (title: string, body: (tools: Tools) => Effect.Effect<unknown, unknown, Executor.Executor>) =>
    it(title, () => run(body(tools(stepTimeout))), testTimeout + 5_000)
  describe(name, () => {
    registerOutcomes(test)
    registerCallbacks(test)
    registerCancellation(test)
    registerShutdown(test, layer, stepTimeout, testTimeout)
    registerCollecting(test)
    registerStats(test)
    registerProperty(layer, stepTimeout, testTimeout, options?.numRuns ?? 10)
  })
}
