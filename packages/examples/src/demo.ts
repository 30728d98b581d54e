// Runs every example, one after another, each in its own Node process (as a user would run it).
import { spawnSync } from "node:child_process"

const examples = [
  "fetchOrders.ts",
  "primes.ts",
  "randomFailures.ts",
  "blockingCalls.ts",
  "tracing.ts",
  "clusterPrimes.ts"
]

let failed = 0
for (const example of examples) {
  const { status } = spawnSync(process.execPath, [new URL(example, import.meta.url).pathname], { stdio: "inherit" })
  if (status !== 0) {
    failed++
    console.error(`example ${example} exited with ${status}`)
  }
  console.log()
}
process.exit(failed === 0 ? 0 : 1)
