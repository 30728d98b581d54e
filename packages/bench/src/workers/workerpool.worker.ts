// The worker of workerpool (threads and child processes).
import workerpool from "workerpool"
import { countPrimesBelow } from "./primes.ts"

workerpool.worker({
  noop: (n: number) => n,
  countPrimes: (limit: number) => countPrimesBelow(limit)
})
