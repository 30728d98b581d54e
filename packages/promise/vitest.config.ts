import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "promise",
    include: ["test/**/*.test.ts", "test/**/*.test.mjs"],
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json"
    }
  }
})
