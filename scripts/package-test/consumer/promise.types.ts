// The declarations of @effect-futures/promise under `skipLibCheck: false`: typed uses of its API (type-checked
// by the package test, not run).
import {
  asCompleted,
  AsyncPoolExecutor,
  CancelledError,
  type Future,
  ThreadPoolExecutor,
  wait
} from "@effect-futures/promise"
import { measure } from "./measure.tasks.ts"

export const typedUse = async (): Promise<number> => {
  await using io = new AsyncPoolExecutor({ maxWorkers: 2 })
  const future: Future<number> = io.submitWith({}, async (signal) => (signal.aborted ? 0 : 1))
  const doubled: Future<number> = io.submit(async (x: number) => x * 2, 21)
  await doubled.result()
  const { done } = await wait([future], { returnWhen: "FIRST_COMPLETED", timeout: "1 second" })
  for await (const finished of asCompleted(done)) await finished.exception()
  await using threads = new ThreadPoolExecutor({ module: new URL("./measure.tasks.ts", import.meta.url) })
  const measured = await threads.submit(measure, "four", { signal: AbortSignal.timeout(1_000) }).result()
  for await (const length of io.map(async (word: string) => word.length, ["a"])) void length
  return (await future.result().catch((error: unknown) => (error instanceof CancelledError ? -1 : 0))) + measured.length
}
