/**
 * What an unknown task name's error says, without threads: the closest name and the module's tasks.
 */
import { assert, describe, it } from "@effect/vitest"
import { unknownTaskHint } from "../src/internal/taskModule.ts"

describe("unknownTaskHint", () => {
  it("suggests the closest name and lists the module's tasks in alphabetical order", () => {
    assert.strictEqual(
      unknownTaskHint("spni", ["spin", "greet", "fail"]),
      ` (did you mean "spin"?); its tasks are "fail", "greet", "spin"`
    )
  })

  it("lists the tasks without a suggestion when none is close", () => {
    assert.strictEqual(unknownTaskHint("elsewhere", ["spin", "greet"]), `; its tasks are "greet", "spin"`)
  })

  it("says so when the module exports no task", () => {
    assert.match(unknownTaskHint("spin", []), /exports no tasks/)
  })

  it("lists twenty names and counts the rest", () => {
    const many = Array.from({ length: 25 }, (_, i) => `task${String(i).padStart(2, "0")}`)
    const hint = unknownTaskHint("other", many)
    assert.include(hint, `"task19"`)
    assert.notInclude(hint, `"task20"`)
    assert.match(hint, /and 5 more$/)
  })
})
