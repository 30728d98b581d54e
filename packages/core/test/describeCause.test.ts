import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { describeCause } from "../src/internal/describeCause.ts"

class NoMessage extends Schema.TaggedError<NoMessage>()("NoMessage", {}) {}
class WithFields extends Schema.TaggedError<WithFields>()("WithFields", { limit: Schema.Number }) {}

describe("describeCause", () => {
  it("is an error's own message when it has one", () => {
    assert.strictEqual(describeCause(new Error("disk full")), "disk full")
  })

  it("names an error without a message, with its fields: never empty", () => {
    assert.strictEqual(describeCause(new WithFields({ limit: -1 })), `WithFields {"limit":-1}`)
    assert.strictEqual(describeCause(new NoMessage()), "NoMessage (no message)")
    assert.strictEqual(describeCause(new TypeError()), "TypeError (no message)")
    assert.strictEqual(describeCause(undefined), "no reason given")
    assert.strictEqual(describeCause(""), "an empty string")
    assert.strictEqual(describeCause({ code: 7 }), `{"code":7}`)
    assert.strictEqual(describeCause(42), "42")
  })
})
