/**
 * The one entity every runner serves and every client sends to: a run RPC carrying `{ id, task, input }`, where
 * `input` is the JSON form of the task's own payload schema (`Schema.toCodecJson`). One generic entity, rather
 * than one per task, lets a runner serve whatever task module it registers, by name, as the node pools do:
 * client and runner need not build the same entity definitions, only agree on this file.
 *
 * The reply is always a value (`RunResult`): a typed failure, a defect, an interruption are data, so a handler
 * never dies. Effect Cluster retries a handler that dies, for ever, so a defect there would loop.
 *
 * @internal
 */
import * as PrimaryKey from "effect/PrimaryKey"
import * as Schema from "effect/Schema"
import { ClusterSchema, Entity } from "effect/cluster"
import { Rpc } from "effect/rpc"

/**
 * Bumped when the payload or the reply changes shape: a runner and a client of different versions then use
 * different entity types and never read each other's messages.
 */
export const entityType = "effect-futures/Task/v1"

/** What a task's run ended with, as JSON values in the task's own schemas. */
export const RunResult = Schema.Union([
  /** The task's success, encoded with its `success` schema. */
  Schema.TaggedStruct("Success", { value: Schema.Json }),
  /** The task's typed failure, encoded with its `failure` schema. */
  Schema.TaggedStruct("Failure", { error: Schema.Json }),
  /** A boundary error on the runner (its local executor broke, a value could not cross), encoded as itself. */
  Schema.TaggedStruct("Boundary", { error: Schema.Json }),
  /** A defect, with the name, message and stack of the error. */
  Schema.TaggedStruct("Defect", { name: Schema.String, message: Schema.String, stack: Schema.optional(Schema.String) }),
  /** The task was interrupted on the runner. */
  Schema.TaggedStruct("Interrupted", {})
])

export type RunResult = typeof RunResult.Type

/** One run request: the task's id (its idempotency key), its name, and its input in the task's JSON form. */
export class RunPayload extends Schema.Class<RunPayload>(`${entityType}/RunPayload`)({
  id: Schema.String,
  task: Schema.String,
  input: Schema.Json
}) {
  /** The cluster's dedupe key, with the entity and the tag. */
  [PrimaryKey.symbol](): string {
    return this.id
  }
}

/**
 * Durable: stored before it is sent, deduplicated by `id` (its primary key), re-run by another runner when its
 * runner dies before replying. A runner that releases a shard (it shuts down, or a runner joins and takes the
 * shard) lets the running tasks finish, for up to its `entityTerminationTimeout`, before it interrupts them:
 * a long task is not run twice only because the shards moved.
 */
export const RunDurable = Rpc.make("run", { payload: RunPayload, success: RunResult }).annotate(
  ClusterSchema.Persisted,
  true
)

/** Volatile: sent over the network only; lost if its runner dies; not deduplicated. */
export const RunVolatile = Rpc.make("runVolatile", { payload: RunPayload, success: RunResult })

/**
 * Answered by any runner at once. A client sends it, retrying, while its Layer is built: it returns once the
 * client knows which runner owns a shard, so the first durable request is delivered at once instead of at the
 * runners' next storage poll (10 s by default).
 */
export const Ping = Rpc.make("ping")

export const TaskEntity = Entity.make(entityType, [RunDurable, RunVolatile, Ping])

/**
 * The entity a task id goes to: a hash of the id into `buckets` entities, so one id always reaches the same
 * entity (the cluster dedupes by entity, tag and primary key) while the number of resident entities stays
 * bounded (runners keep at most 10,000 by default).
 */
export const entityIdOf = (id: string, buckets: number): string => `b${fnv1a(id) % buckets}`

/** 32-bit FNV-1a: stable across processes and versions, unlike any engine's string hash. */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}
