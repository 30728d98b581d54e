/** The seed's CPU-bound workload (Example 23.1): count the primes below `limit` by trial division. */
export const countPrimesBelow = (limit: number): number => {
  let count = 0
  for (let n = 2; n < limit; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false
        break
      }
    }
    if (prime) count++
  }
  return count
}
