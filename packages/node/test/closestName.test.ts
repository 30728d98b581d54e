/**
 * "Did you mean …?" without threads: the edit distance, which name is close enough to suggest, and the hint an
 * unknown task name gets.
 */
import { assert, describe, it } from "@effect/vitest"
import { closestName, editDistance } from "../src/internal/closestName.ts"
import { unknownTaskHint } from "../src/internal/taskModule.ts"

describe("editDistance", () => {
  it("is 0 for equal strings and the other's length against an empty one", () => {
    assert.strictEqual(editDistance("spin", "spin"), 0)
    assert.strictEqual(editDistance("", "spin"), 4)
    assert.strictEqual(editDistance("spin", ""), 4)
  })

  it("counts one edit for an insertion, a deletion or a substitution", () => {
    assert.strictEqual(editDistance("spin", "spins"), 1)
    assert.strictEqual(editDistance("spin", "spn"), 1)
    assert.strictEqual(editDistance("spin", "span"), 1)
  })

  it("counts a swap of two adjacent characters as one edit", () => {
    assert.strictEqual(editDistance("spni", "spin"), 1)
    assert.strictEqual(editDistance("countPirmes", "countPrimes"), 1)
  })

  it("is symmetric and adds up over separate edits", () => {
    assert.strictEqual(editDistance("kitten", "sitting"), 3)
    assert.strictEqual(editDistance("sitting", "kitten"), 3)
    assert.strictEqual(editDistance("spin", "pins"), 2)
  })
})

describe("closestName", () => {
  const names = ["fail", "sleep", "spin", "square", "greet"]

  it("suggests the name a typo was meant to be", () => {
    assert.strictEqual(closestName("spni", names), "spin")
    assert.strictEqual(closestName("sqaure", names), "square")
    assert.strictEqual(closestName("gret", names), "greet")
  })

  it("ignores case", () => {
    assert.strictEqual(closestName("Sleep", names), "sleep")
  })

  it("suggests nothing when no name is close", () => {
    assert.isUndefined(closestName("elsewhere", names))
    assert.isUndefined(closestName("xyzw", names))
    assert.isUndefined(closestName("", names))
    assert.isUndefined(closestName("spin", []))
  })

  it("breaks a tie by alphabetical order, whatever the order of the candidates", () => {
    assert.strictEqual(closestName("sat", ["set", "sit"]), "set")
    assert.strictEqual(closestName("sat", ["sit", "set"]), "set")
  })

  it("prefers the closer of two near names", () => {
    assert.strictEqual(closestName("countPrime", ["countPrimes", "countPages"]), "countPrimes")
  })
})

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
