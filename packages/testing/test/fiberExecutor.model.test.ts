/**
 * Model-based property test of cancellation on `Executor.layerFiber`: random programs of submit, cancel,
 * interrupt, completing a task, addDoneCallback and shutdown run against a real pool of 1–4 workers and, step
 * by step, against `ExecutorModel` (Python's `concurrent.futures` state machine; auto start).
 *
 * Reproduce a failure with `FC_SEED=<seed> FC_PATH=<path>` (fast-check prints both); `FC_NUM_RUNS` sets how
 * many programs run (default 200).
 */
import { Executor } from "@effect-futures/core"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { ExecutorProgram } from "../src/index.ts"
import { fcParameters, runProgram, type Subject } from "./modelRunner.ts"

const subject: Subject = { start: "auto", layer: (maxWorkers) => Executor.layerFiber({ maxWorkers }) }

describe("cancellation semantics of layerFiber, model-based", () => {
  it("random programs of submit, cancel, interrupt, complete, addDoneCallback and shutdown follow the model", async () => {
    await fc.assert(
      fc.asyncProperty(ExecutorProgram.program({ start: "auto" }), (program) =>
        Effect.runPromise(runProgram(subject, program))
      ),
      fcParameters(200)
    )
  }, 120_000)
})
