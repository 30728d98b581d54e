// The worker of piscina and tinypool (threads and child processes): a default export and named ones.
import { countPrimesBelow } from "./primes.ts"

export default (n: number): number => n

export const countPrimes = (limit: number): number => countPrimesBelow(limit)
