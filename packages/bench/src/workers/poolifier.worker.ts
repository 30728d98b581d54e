// The worker of poolifier's FixedThreadPool.
import { ThreadWorker } from "poolifier"
import { countPrimesBelow } from "./primes.ts"

export default new ThreadWorker<number, number>({
  noop: (n) => n ?? 0,
  countPrimes: (limit) => countPrimesBelow(limit ?? 0)
})
