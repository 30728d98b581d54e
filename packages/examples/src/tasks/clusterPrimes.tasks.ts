/**
 * The task module of the cluster example: each runner process serves it. The task says which runner ran it
 * (its `RUNNER_NAME`, inherited by the runner's worker threads), so the example can print who ran what.
 */
import { Task } from "@effect-futures/core"
import { Duration, Effect, Schema } from "effect"
import { countPrimesBelow } from "./primes.tasks.ts"

export const countPrimesOnRunner = Task.make("countPrimesOnRunner", {
  payload: Schema.Number,
  success: Schema.Struct({ count: Schema.Number, runner: Schema.String }),
  run: (limit) =>
    Effect.sync(() => ({ count: countPrimesBelow(limit), runner: process.env.RUNNER_NAME ?? `pid ${process.pid}` }))
})

/**
 * A quicker failover than the package's defaults (shard locks expire after 10 s) for the demonstration: a dead
 * runner's shards move after 4 s, and everyone re-reads the assignments every second.
 */
export const demoShardingConfig = {
  shardLockRefreshInterval: Duration.seconds(1),
  shardLockExpiration: Duration.seconds(4),
  refreshAssignmentsInterval: Duration.seconds(1)
}
