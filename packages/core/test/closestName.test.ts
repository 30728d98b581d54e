/**
 * "Did you mean …?": the edit distance, and which name is close enough to suggest.
 */
import { assert, describe, it } from "@effect/vitest"
import { closestName, editDistance } from "../src/internal/closestName.ts"

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
