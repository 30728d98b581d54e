/**
 * The Python contenders: python/pool_server.py runs a `ProcessPoolExecutor` and answers one JSON command
 * per line with the seconds it took, so its rounds interleave with the Node contenders'. Skipped, with a
 * notice, where `python3` is missing.
 */
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { type Contender, pythonVersion } from "./harness.ts"

const script = new URL("../python/pool_server.py", import.meta.url)

export const pythonMissing: string | undefined = pythonVersion() === undefined ? "python3 not found" : undefined

export type PythonCommand =
  | { readonly op: "submit"; readonly tasks: number; readonly inflight: number }
  | { readonly op: "submit_all"; readonly tasks: number }
  | { readonly op: "map"; readonly tasks: number; readonly chunksize: number }
  | { readonly op: "primes_sequential"; readonly limits: ReadonlyArray<number> }
  | { readonly op: "primes_pool"; readonly limits: ReadonlyArray<number> }

/** One Python process per contender, its pool of `workers` started before the first round. */
export const pythonContender = (name: string, workers: number, command: PythonCommand): Contender => ({
  name,
  skip: pythonMissing,
  start: async () => {
    const child = spawn("python3", [script.pathname], { stdio: ["pipe", "pipe", "inherit"] })
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    const ask = async (message: object): Promise<number> => {
      child.stdin.write(`${JSON.stringify(message)}\n`)
      const answer = await lines.next()
      if (answer.done === true) throw new Error(`${name}: the Python process ended (exit code ${child.exitCode})`)
      return (JSON.parse(answer.value) as { seconds: number }).seconds
    }
    await ask({ op: "start", workers })
    return {
      round: async () => ({ seconds: await ask(command) }),
      close: async () => {
        child.stdin.end(`${JSON.stringify({ op: "close" })}\n`)
        await exited
      }
    }
  }
})
