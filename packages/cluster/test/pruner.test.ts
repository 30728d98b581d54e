import { Executor, Future } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Layer, Schedule } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { join } from "node:path"
import { ClusterExecutor } from "../src/index.ts"
import { pruneBefore, snowflakeAt } from "../src/internal/pruner.ts"
import { layerSqliteClient } from "../src/internal/sqliteClient.ts"
import * as Tasks from "./fixtures/cluster.tasks.ts"
import { freePort, tempDir } from "./fixtures/runners.ts"

const module = new URL("./fixtures/cluster.tasks.ts", import.meta.url)

/** A runner and a client in this process, on one SQLite file; the runner's tasks run in this thread. */
const cluster = (path: string, port: number, pruner: ClusterExecutor.StorageOptions["pruner"]) =>
  ClusterExecutor.layer().pipe(
    Layer.provideMerge(ClusterExecutor.layerRunner({ module, executor: Executor.layerFiber() })),
    Layer.provide(ClusterExecutor.layerSqlite({ path, runner: { host: "127.0.0.1", port }, pruner }))
  )

/** Rows of the storage whose request payload holds this task id: the request, then its replies. */
const rowsOf = (id: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const request = sql`SELECT id FROM cluster_messages WHERE payload LIKE ${`%"id":"${id}"%`}`
    const [counts] = yield* sql<{ readonly messages: number; readonly replies: number }>`SELECT
      (SELECT COUNT(*) FROM cluster_messages WHERE request_id IN (${request})) AS messages,
      (SELECT COUNT(*) FROM cluster_replies WHERE request_id IN (${request})) AS replies`
    return { messages: Number(counts!.messages), replies: Number(counts!.replies) }
  })

const submitAll = (ids: ReadonlyArray<string>) =>
  Effect.forEach(ids, (id) =>
    Effect.flatMap(Executor.submit(Tasks.countRun, id, { id }), (future) => Future.result(future))
  )

describe("the pruner", () => {
  it.live(
    "deletes only the processed tasks older than the cutoff, with their replies",
    () =>
      Effect.gen(function* () {
        const path = join(yield* tempDir, "cluster.db")
        const port = yield* freePort
        const held = Tasks.holdFor("pruner-held")
        yield* Effect.gen(function* () {
          // An unprocessed task, older than the cutoff: it must stay.
          yield* Executor.submit(Tasks.hold, "pruner-held", { id: "pruner-held" })
          yield* Deferred.await(held.started)
          yield* submitAll(["pruner-old-1", "pruner-old-2"])
          const cutoff = snowflakeAt(yield* Clock.currentTimeMillis)
          yield* Effect.sleep("10 millis")
          yield* submitAll(["pruner-new-1"])

          const storage = Layer.fresh(layerSqliteClient({ path, busyTimeout: 5000 }))
          yield* Effect.gen(function* () {
            assert.deepStrictEqual(yield* rowsOf("pruner-old-1"), { messages: 1, replies: 1 })
            assert.strictEqual(yield* pruneBefore(cutoff), 2)
            assert.deepStrictEqual(yield* rowsOf("pruner-old-1"), { messages: 0, replies: 0 })
            assert.deepStrictEqual(yield* rowsOf("pruner-old-2"), { messages: 0, replies: 0 })
            assert.deepStrictEqual(yield* rowsOf("pruner-new-1"), { messages: 1, replies: 1 })
            assert.deepStrictEqual(yield* rowsOf("pruner-held"), { messages: 1, replies: 0 })
          }).pipe(Effect.provide(storage))
          yield* Deferred.succeed(held.release, 0)
        }).pipe(Effect.provide(cluster(path, port, false)))
      }),
    60_000
  )

  it.live(
    "runs on a runner as a singleton: processed tasks go after the retention, and their ids then run again",
    () =>
      Effect.gen(function* () {
        const path = join(yield* tempDir, "cluster.db")
        const port = yield* freePort
        yield* Effect.gen(function* () {
          assert.deepStrictEqual(yield* submitAll(["pruner-retained"]), [1])
          const storage = Layer.fresh(layerSqliteClient({ path, busyTimeout: 5000 }))
          yield* Effect.repeat(Effect.provide(rowsOf("pruner-retained"), storage), {
            until: (rows) => rows.messages === 0,
            schedule: Schedule.spaced("100 millis")
          }).pipe(Effect.timeout("20 seconds"))
          // Dedupe lasted as long as the retention: the id runs again.
          assert.deepStrictEqual(yield* submitAll(["pruner-retained"]), [2])
        }).pipe(Effect.provide(cluster(path, port, { retention: "500 millis", interval: "200 millis" })))
      }),
    60_000
  )
})
