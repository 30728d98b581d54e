/**
 * The floor: a pool of bare `worker_threads` echo workers driven by promises, round robin, no queue, no
 * bookkeeping but a FIFO of resolvers per worker (an echo answers in order).
 */
import { Worker } from "node:worker_threads"

export interface RawThreads {
  readonly call: (value: unknown, transfer?: ArrayBuffer) => Promise<unknown>
  readonly close: () => Promise<void>
}

export const rawThreads = async (
  size: number,
  file: URL = new URL("./raw.worker.ts", import.meta.url)
): Promise<RawThreads> => {
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(file)
    const waiting: Array<(value: unknown) => void> = []
    worker.on("message", (message: [number, unknown, boolean]) => waiting.shift()!(message[1]))
    return { worker, waiting }
  })
  await Promise.all(workers.map(({ worker }) => new Promise((resolve) => worker.once("online", resolve))))
  let next = 0
  return {
    call: (value, transfer) =>
      new Promise((resolve) => {
        const slot = workers[next++ % size]!
        slot.waiting.push(resolve)
        if (transfer === undefined) slot.worker.postMessage([0, value, false])
        else slot.worker.postMessage([0, transfer, true], [transfer])
      }),
    close: async () => {
      await Promise.all(workers.map(({ worker }) => worker.terminate()))
    }
  }
}
