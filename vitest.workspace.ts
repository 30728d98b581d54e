// Vitest 5 no longer reads this file on its own: `vitest.config.ts` passes this list as `test.projects`.
export default [
  "packages/core",
  "packages/node",
  "packages/testing",
  "packages/promise",
  "packages/cluster",
  "packages/examples"
]
