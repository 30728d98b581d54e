/**
 * Model-based property test of `TestExecutor`: random programs of submit, runNext, runAll, complete, crash,
 * cancel, interrupt, addDoneCallback and shutdown follow `ExecutorModel` (manual start) step by step.
 *
 * Reproduce a failure with `FC_SEED=<seed> FC_PATH=<path>`; `FC_NUM_RUNS` sets how many programs run.
 */
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { ExecutorProgram, TestExecutor } from "../src/index.ts"
import { fcParameters, runProgram, type Subject } from "./modelRunner.ts"

const subject: Subject = { start: "manual", layer: (maxWorkers) => TestExecutor.layer({ maxWorkers }) }

describe("TestExecutor, model-based", () => {
  it("random programs of submit, run, complete, crash, cancel, interrupt and shutdown follow the model", async () => {
    await fc.assert(
      fc.asyncProperty(ExecutorProgram.program({ start: "manual" }), (program) =>
        Effect.runPromise(runProgram(subject, program))
      ),
      fcParameters(200)
    )
  }, 120_000)
})
