// The floor of the CPU-bound comparison: a bare worker that counts primes, in rawThreads' message format.
import { parentPort } from "node:worker_threads"
import { countPrimesBelow } from "./primes.ts"

const port = parentPort!
port.on("message", (message: [number, number, boolean]) => {
  port.postMessage([message[0], countPrimesBelow(message[1]), false])
})
