/**
 * Comparison 6, payload size: an `ArrayBuffer` of 1 KB, 1 MB and 16 MB to a worker thread and back, one
 * round trip at a time, copied (structured clone) or transferred. Ours: `Task.fromFunction` echo tasks on
 * `layerWorkerThreads`, the input moved with `Executor.submit(task, input, { transfer })` and the output
 * with `NodeExecutor.transfer`; the floor: a bare worker_threads echo.
 */
import { Executor, Future } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import { Effect } from "effect"
import { type Contender, effectContender, type TableSpec } from "./harness.ts"
import { tasksModule } from "./threadRoundTrip.ts"
import { type RawThreads, rawThreads } from "./workers/rawThreads.ts"
import { echo, echoTransfer } from "./workers/tasks.ts"

export interface PayloadOptions {
  readonly sizes: ReadonlyArray<{ readonly label: string; readonly bytes: number; readonly roundTrips: number }>
}

const layer = () => NodeExecutor.layerWorkerThreads({ module: tasksModule, maxWorkers: 1, minWorkers: 1 })

/** One round trip at a time through a bare worker, `roundTrips` per round. */
const raw = (name: string, roundTrip: (pool: RawThreads) => Promise<void>, roundTrips: number): Contender => ({
  name,
  start: async () => {
    const pool = await rawThreads(1)
    await roundTrip(pool)
    return {
      round: async () => {
        for (let i = 0; i < roundTrips; i++) await roundTrip(pool)
      },
      close: () => pool.close()
    }
  }
})

const notTransferred = (buffer: ArrayBuffer) =>
  Effect.die(new Error(`the ${buffer.byteLength}-byte input was copied, not transferred`))

export const payloadSize = (options: PayloadOptions): ReadonlyArray<TableSpec> =>
  options.sizes.map(({ label, bytes, roundTrips }): TableSpec => {
    const copied = new ArrayBuffer(bytes)
    let moved = new ArrayBuffer(bytes)
    let movedRaw = new ArrayBuffer(bytes)
    return {
      title: `${label} ArrayBuffer to a worker thread and back`,
      operations: roundTrips,
      unit: "round trip",
      baseline: "raw worker_threads, copy",
      // A copy leaves hundreds of megabytes of garbage behind: each round starts after a full collection.
      collectGarbage: true,
      contenders: [
        raw(
          "raw worker_threads, copy",
          async (pool) => {
            await pool.call(copied)
          },
          roundTrips
        ),
        raw(
          "raw worker_threads, transfer",
          async (pool) => {
            movedRaw = (await pool.call(undefined, movedRaw)) as ArrayBuffer
          },
          roundTrips
        ),
        effectContender(
          "ours: copy",
          layer(),
          Effect.asVoid(
            Effect.repeat(Effect.flatMap(Executor.submit(echo, { buffer: copied }), Future.result), {
              times: roundTrips - 1
            })
          )
        ),
        effectContender(
          "ours: transfer",
          layer(),
          Effect.repeat(
            Effect.suspend((): Effect.Effect<void, unknown, Executor.Executor> => {
              const input = moved
              return Effect.flatMap(Executor.submit(echoTransfer, { buffer: input }, { transfer: [input] }), (future) =>
                // A transferred buffer is detached in the sender: its length is 0.
                input.byteLength !== 0
                  ? notTransferred(input)
                  : Effect.map(Future.result(future), (output) => {
                      moved = output.buffer
                    })
              )
            }),
            { times: roundTrips - 1 }
          )
        )
      ]
    }
  })
