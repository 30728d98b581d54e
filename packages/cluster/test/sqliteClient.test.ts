import { assert, describe, it } from "@effect/vitest"
import { type Context, Deferred, Effect, Fiber, Layer } from "effect"
import * as SqlClient from "effect/sql/SqlClient"
import { join } from "node:path"
import { layerSqliteClient } from "../src/internal/sqliteClient.ts"
import { tempDir } from "./fixtures/runners.ts"

/** Two connections to one file, as two processes have: each Layer opens its own. */
const twoClients = (path: string, busyTimeout: number) =>
  Effect.all([
    Layer.build(Layer.fresh(layerSqliteClient({ path, busyTimeout: 5000 }))),
    Layer.build(Layer.fresh(layerSqliteClient({ path, busyTimeout })))
  ])

/** Holds the write lock (an open `BEGIN IMMEDIATE` transaction) until `release` is done. */
const holdWriteLock = (release: Deferred.Deferred<void>, locked: Deferred.Deferred<void>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`INSERT INTO entries (name) VALUES ('holder')`
        yield* Deferred.succeed(locked, undefined)
        yield* Deferred.await(release)
      })
    )
  })

const insert = (name: string) => SqlClient.SqlClient.use((sql) => sql`INSERT INTO entries (name) VALUES (${name})`)

/**
 * Two connections to one new table; the first holds the write lock while `during` runs on the second (its
 * services), then lets go.
 */
const whileLocked = <A, E>(
  busyTimeout: number,
  during: (second: Context.Context<SqlClient.SqlClient>) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    const path = join(yield* tempDir, "db.sqlite")
    const [first, second] = yield* twoClients(path, busyTimeout)
    yield* Effect.provideContext(
      SqlClient.SqlClient.use((sql) => sql`CREATE TABLE entries (name TEXT)`),
      first
    )
    const release = yield* Deferred.make<void>()
    const locked = yield* Deferred.make<void>()
    const holder = yield* Effect.forkChild(Effect.provideContext(holdWriteLock(release, locked), first))
    yield* Deferred.await(locked)
    const result = yield* during(second)
    yield* Deferred.succeed(release, undefined)
    yield* Fiber.join(holder)
    return result
  })

describe("the SQLite client", () => {
  it.live("a write waits for another connection's transaction, without blocking the event loop", () =>
    Effect.gen(function* () {
      const { second, writer } = yield* whileLocked(5000, (second) =>
        Effect.gen(function* () {
          const writer = yield* Effect.forkChild(Effect.provideContext(insert("waiter"), second))
          // The waiting write yields: this fiber runs meanwhile, and the write is still waiting.
          yield* Effect.sleep("100 millis")
          assert.isUndefined(writer.pollUnsafe())
          return { second, writer }
        })
      )
      yield* Fiber.join(writer)
      const rows = yield* Effect.provideContext(
        SqlClient.SqlClient.use((sql) => sql<{ readonly name: string }>`SELECT name FROM entries ORDER BY rowid`),
        second
      )
      assert.deepStrictEqual(
        rows.map((row) => row.name),
        ["holder", "waiter"]
      )
    }).pipe(Effect.scoped)
  )

  it.live("a write held up longer than busyTimeout fails with a SqlError", () =>
    Effect.gen(function* () {
      const error = yield* whileLocked(100, (second) => Effect.flip(Effect.provideContext(insert("late"), second)))
      assert.strictEqual(error._tag, "SqlError")
      assert.include(error.message, "locked")
    }).pipe(Effect.scoped)
  )
})
