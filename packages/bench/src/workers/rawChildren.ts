/**
 * The floor of the process comparison: bare `child_process.fork` echo children driven by promises, round
 * robin, a FIFO of resolvers per child.
 */
import { fork, type Serializable } from "node:child_process"

export interface RawChildren {
  readonly call: (value: Serializable) => Promise<unknown>
  readonly close: () => Promise<void>
}

export const rawChildren = async (size: number, serialization: "json" | "advanced"): Promise<RawChildren> => {
  const children = Array.from({ length: size }, () => {
    const child = fork(new URL("./raw.child.ts", import.meta.url), { serialization, execArgv: [] })
    const waiting: Array<(value: unknown) => void> = []
    child.on("message", (message) => waiting.shift()!(message))
    return { child, waiting }
  })
  await Promise.all(children.map(({ child }) => new Promise((resolve) => child.once("spawn", resolve))))
  let next = 0
  return {
    call: (value) =>
      new Promise((resolve) => {
        const slot = children[next++ % size]!
        slot.waiting.push(resolve)
        slot.child.send(value)
      }),
    close: async () => {
      await Promise.all(
        children.map(
          ({ child }) =>
            new Promise((resolve) => {
              child.once("exit", resolve)
              child.kill()
            })
        )
      )
    }
  }
}
