/**
 * A small `SqlClient` over Node's own `node:sqlite`, for the cluster's message and runner storage on one host.
 * Every SQLite driver for effect 4 on npm imports `effect/unstable/sql/*`, which effect 4.1 no longer exports,
 * so none loads; this one needs nothing but Node.
 *
 * Several processes (runners and clients) share one database file, so writers must wait for each other rather
 * than fail with "database is locked": transactions begin with `BEGIN IMMEDIATE` (the write lock is taken at
 * the start, never upgraded midway, which SQLite cannot wait for), and a statement that meets another process's
 * lock tries again after a short pause, for up to a busy timeout, without blocking the event loop. The
 * file is in WAL mode, so readers never wait for the writer. One file serves one host only: SQLite's locks do
 * not hold over network file systems.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as Stream from "effect/Stream"
import * as SqlClient from "effect/sql/SqlClient"
import type { Connection } from "effect/sql/SqlConnection"
import { classifySqliteError, SqlError } from "effect/sql/SqlError"
import * as Statement from "effect/sql/Statement"
import { DatabaseSync, type StatementSync } from "node:sqlite"

export interface SqliteOptions {
  readonly path: string
  /** How long a statement waits for another process's write lock before it fails (milliseconds). */
  readonly busyTimeout: number
}

/** Prepared statements kept per connection; the cluster's storage uses a few dozen distinct ones. */
const statementCacheSize = 256

const sqlError = (cause: unknown, message: string, operation: string) =>
  new SqlError({ reason: classifySqliteError(errnoOf(cause), { message, operation }) })

/** `node:sqlite` reports SQLite's result code as `errcode`; the classifier reads `errno`. */
const errnoOf = (cause: unknown): unknown =>
  typeof cause === "object" && cause !== null && "errcode" in cause && !("errno" in cause)
    ? { cause, errno: (cause as { errcode: unknown }).errcode, message: (cause as { message?: unknown }).message }
    : cause

interface RunOptions {
  readonly prepared: boolean
  readonly arrays: boolean
  readonly raw: boolean
}

/** SQLITE_BUSY (5), with or without an extended code: another connection holds the lock. */
const isBusy = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "errcode" in error &&
  typeof error.errcode === "number" &&
  (error.errcode & 0xff) === 5

/**
 * Runs `attempt`; while another process holds the lock (SQLITE_BUSY), tries again after a short, growing,
 * jittered pause, until `busyTimeout` milliseconds have passed. SQLite's own busy handler would wait the same way
 * but synchronously, in steps of up to 100 ms, with the process's event loop (a runner's shard lock refreshes)
 * stopped meanwhile.
 */
const retryWhileBusy = <A>(
  attempt: () => A,
  busyTimeout: number,
  message: string,
  operation: string
): Effect.Effect<A, SqlError> =>
  Effect.suspend(() => {
    let deadline = 0
    const loop = (pause: number): Effect.Effect<A, SqlError> => {
      try {
        return Effect.succeed(attempt())
      } catch (error) {
        if (!isBusy(error)) return Effect.fail(sqlError(error, message, operation))
        const now = performance.now()
        if (deadline === 0) deadline = now + busyTimeout
        if (now >= deadline) return Effect.fail(sqlError(error, `${message}: the database stayed locked`, operation))
        return Effect.andThen(
          Effect.sleep(pause * (0.5 + Math.random())),
          Effect.suspend(() => loop(Math.min(2 * pause, 16)))
        )
      }
    }
    return loop(1)
  })

const makeConnection = (options: SqliteOptions): Effect.Effect<Connection, SqlError, Scope.Scope> =>
  Effect.gen(function* () {
    const busyTimeout = options.busyTimeout
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => new DatabaseSync(options.path, { timeout: 0 }),
        catch: (cause) => sqlError(cause, `cannot open the SQLite database ${options.path}`, "open")
      }),
      (db) => Effect.sync(() => db.close())
    )
    // Waits for another process's lock are this client's own, asynchronous (`retryWhileBusy`); two processes
    // opening a new file at once both switch it to WAL, and one of them waits.
    yield* retryWhileBusy(
      () => {
        db.exec("PRAGMA busy_timeout = 0")
        db.exec("PRAGMA journal_mode = WAL")
        db.exec("PRAGMA synchronous = NORMAL")
      },
      busyTimeout,
      `cannot set up the SQLite database ${options.path}`,
      "open"
    )
    const cache = new Map<string, StatementSync>()
    const prepare = (sql: string): StatementSync => {
      let statement = cache.get(sql)
      if (statement === undefined) {
        statement = db.prepare(sql)
        if (cache.size >= statementCacheSize) cache.delete(cache.keys().next().value!)
        cache.set(sql, statement)
      }
      return statement
    }
    const runOnce = (sql: string, params: ReadonlyArray<unknown>, options: RunOptions, safeIntegers: boolean) => {
      const statement = options.prepared ? prepare(sql) : db.prepare(sql)
      statement.setReadBigInts(safeIntegers)
      statement.setReturnArrays(options.arrays)
      const args = params as Array<any>
      if (statement.columns().length > 0) {
        const found = statement.all(...args)
        // Rows come with a null prototype; the storage's schemas expect plain objects.
        return options.arrays ? found : found.map((row) => ({ ...row }))
      }
      const result = statement.run(...args)
      return options.raw ? { changes: result.changes, lastInsertRowid: result.lastInsertRowid } : []
    }
    const run = (sql: string, params: ReadonlyArray<unknown>, options: RunOptions): Effect.Effect<any, SqlError> =>
      Effect.withFiber((fiber) => {
        const safeIntegers = Context.get(fiber.context, SqlClient.SafeIntegers)
        return retryWhileBusy(
          () => runOnce(sql, params, options, safeIntegers),
          busyTimeout,
          "cannot execute a statement",
          "execute"
        )
      })
    const rows = { prepared: true, arrays: false, raw: false }
    const connection: Connection = {
      execute: (sql, params, transformRows) =>
        transformRows === undefined ? run(sql, params, rows) : Effect.map(run(sql, params, rows), transformRows),
      executeRaw: (sql, params) => run(sql, params, { prepared: true, arrays: false, raw: true }),
      executeValues: (sql, params) => run(sql, params, { prepared: true, arrays: true, raw: false }),
      executeValuesUnprepared: (sql, params) => run(sql, params, { prepared: false, arrays: true, raw: false }),
      executeUnprepared: (sql, params, transformRows) => {
        const effect = run(sql, params, { prepared: false, arrays: false, raw: false })
        return transformRows === undefined ? effect : Effect.map(effect, transformRows)
      },
      executeStream: () => Stream.die(new Error("the cluster's SQLite client does not stream"))
    }
    return connection
  })

/** The `SqlClient` of one SQLite file: one connection, used by one fiber at a time. */
export const layerSqliteClient = (options: SqliteOptions): Layer.Layer<SqlClient.SqlClient, SqlError> =>
  Layer.effect(SqlClient.SqlClient)(
    Effect.gen(function* () {
      const connection = yield* makeConnection(options)
      const acquirers = SqlClient.makeSqliteAcquirers({
        connection: Effect.succeed(connection),
        semaphore: yield* Semaphore.make(1)
      })
      return yield* SqlClient.make({
        ...acquirers,
        compiler: Statement.makeCompilerSqlite(),
        driver: "sqlite",
        spanAttributes: [["db.system.name", "sqlite"]],
        beginTransaction: "BEGIN IMMEDIATE"
      })
    })
  ).pipe(Layer.provide(Reactivity.layer))
