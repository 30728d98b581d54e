/**
 * The pruner: Effect Cluster 4.1 never deletes a message (about 1 KB per task stays in storage for ever), so a
 * cluster singleton (one runner at a time runs it) deletes the processed requests older than a retention, with
 * their replies and the acks and interrupts that refer to them, every `interval`. Unprocessed messages are never
 * touched. A message's id is a snowflake whose high bits are its time, so "older than" needs no column of its own.
 *
 * Dedupe lasts as long as the retention: an id submitted again after its message was pruned runs again.
 *
 * @internal
 */
import { Singleton, type Sharding } from "effect/cluster"
import * as MachineId from "effect/cluster/MachineId"
import * as Snowflake from "effect/cluster/Snowflake"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

export interface PrunerOptions {
  readonly retention: Duration.Duration
  readonly interval: Duration.Duration
}

/** The smallest snowflake made at `millis`: every message made before it has a smaller id. */
export const snowflakeAt = (millis: number): Snowflake.Snowflake =>
  Snowflake.make({ timestamp: millis, machineId: MachineId.make(0), sequence: 0 })

/**
 * Deletes the processed requests made before `cutoff`, their replies, and the other messages of those requests.
 * Returns how many messages were deleted.
 */
export const pruneBefore = (cutoff: Snowflake.Snowflake): Effect.Effect<number, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const processed = sql`SELECT request_id FROM cluster_messages WHERE processed = ${sql.literal(
      sql.onDialectOrElse({ sqlite: () => "1", orElse: () => "TRUE" })
    )} AND id = request_id AND id < ${cutoff}`
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        const [found] = yield* sql<{
          readonly count: number | bigint | string
        }>`SELECT COUNT(*) AS count FROM cluster_messages WHERE request_id IN (${processed})`
        yield* sql`DELETE FROM cluster_replies WHERE request_id IN (${processed})`
        yield* sql`DELETE FROM cluster_messages WHERE request_id IN (${processed})`
        return Number(found!.count)
      })
    )
  })

/** One runner of the cluster prunes every `interval`; a failed pass is logged and the next one tries again. */
export const layerPruner = (
  options: PrunerOptions
): Layer.Layer<never, never, Sharding.Sharding | SqlClient.SqlClient> =>
  Singleton.make(
    "effect-futures/pruner/v1",
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const deleted = yield* pruneBefore(snowflakeAt(now - Duration.toMillis(options.retention)))
      if (deleted > 0) yield* Effect.logDebug(`pruned ${deleted} processed messages`)
    }).pipe(
      Effect.catchCause((cause) => Effect.logWarning("pruning the cluster's storage failed", cause)),
      Effect.repeat(Schedule.spaced(options.interval)),
      Effect.asVoid
    )
  )
