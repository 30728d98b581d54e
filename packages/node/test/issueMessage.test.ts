/**
 * A schema's rejection as a message that says where, without threads: the path as JavaScript writes it, every
 * failing field, and a bound on the message's length.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Exit, Schema } from "effect"
import { describeIssue, formatPath } from "../src/internal/issueMessage.ts"

const issueOf = (schema: Schema.Top, value: unknown) => {
  const exit = Schema.decodeUnknownExit(schema as Schema.Codec<unknown>)(value, { errors: "all", reportInput: true })
  if (Exit.isSuccess(exit)) throw new Error("expected the value to be rejected")
  return (Cause.squash(exit.cause) as Schema.SchemaError).issue
}

describe("formatPath", () => {
  it("writes identifiers with dots, indices and other keys in brackets", () => {
    assert.strictEqual(formatPath("input", []), "input")
    assert.strictEqual(formatPath("input", ["user", "tags", 1]), "input.user.tags[1]")
    assert.strictEqual(formatPath("input", ["a-b", "$ok"]), `input["a-b"].$ok`)
    assert.strictEqual(formatPath("input", [Symbol.for("key")]), "input[Symbol(key)]")
  })
})

describe("describeIssue", () => {
  const User = Schema.Struct({ name: Schema.String, age: Schema.Number })

  it("names the subject, the path and what was wrong, with the value given", () => {
    assert.strictEqual(
      describeIssue(`task "greet": input`, issueOf(User, { name: 42, age: 1 })),
      `task "greet": input.name: Expected string, got 42`
    )
  })

  it("names every failing field, up to three, and counts the rest", () => {
    assert.strictEqual(
      describeIssue("input", issueOf(User, { name: 1, age: "x" })),
      `input.name: Expected string, got 1; input.age: Expected number, got "x"`
    )
    const Five = Schema.Struct({
      a: Schema.String,
      b: Schema.String,
      c: Schema.String,
      d: Schema.String,
      e: Schema.String
    })
    assert.match(describeIssue("input", issueOf(Five, {})), /^input\.a: Missing key; .*; and 2 more$/)
  })

  it("keeps a schema's own message", () => {
    const Positive = Schema.Number.check(Schema.makeFilter((n) => n > 0 || "must be positive"))
    assert.strictEqual(describeIssue("input", issueOf(Positive, -1)), "input: must be positive")
  })

  it("shortens a message that prints a large value", () => {
    const message = describeIssue("input", issueOf(Schema.String, { text: "x".repeat(10_000) }))
    assert.isBelow(message.length, 250)
    assert.isTrue(message.endsWith("…"))
  })
})
