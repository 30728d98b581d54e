// A task module for the plain-JavaScript consumer: nothing from Effect, only `defineTask`.
import { defineTask } from "@effect-futures/promise"

export const cube = defineTask("cube", (n) => n * n * n)

export const explode = defineTask("explode", (message) => {
  throw new TypeError(message)
})

export const where = defineTask("where", () => process.pid)
