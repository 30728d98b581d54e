/**
 * Storage and sharding for a process of a cluster: Effect Cluster's socket transport between runners, with its
 * message and runner storage in SQL, over the given `SqlClient` Layer. A process with a runner address serves
 * shards; one without is a client only.
 *
 * @internal
 */
import { NodeClusterSocket } from "@effect/platform-node"
import type { ShardingConfig, Sharding } from "effect/cluster"
import { RunnerAddress } from "effect/cluster/RunnerAddress"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { layerPruner } from "./pruner.ts"
import type { ConfigError } from "effect/Config"
import type { SocketServerError } from "effect/socket/SocketServer"
import type { SqlClient } from "effect/sql/SqlClient"

/**
 * Where a runner is reached by the other runners and the clients.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunnerAddressOptions {
  /** The host the others reach this runner at (default `localhost`). */
  readonly host?: string | undefined
  readonly port: number
  /** The host to listen on, if not `host` (say `0.0.0.0` behind a proxy). */
  readonly listenHost?: string | undefined
}

/**
 * What {@link layerSqlite} and {@link layerPostgres} share.
 *
 * @since 0.1.0
 * @category models
 */
export interface StorageOptions {
  /** This process is a runner, reachable at this address; without it, the process is a client only. */
  readonly runner?: RunnerAddressOptions | undefined
  /**
   * Effect Cluster's settings, over this package's defaults: shard locks refreshed every 3 s and expiring after
   * 10 s (a killed runner's tasks move after about that long; Effect's own default is 35 s).
   */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Service"]> | undefined
  /**
   * On runners: the pruner, a cluster singleton (one runner runs it at a time) that every `interval` (default
   * 10 minutes) deletes the processed tasks older than `retention` (default 1 day), with their replies: Effect
   * Cluster keeps every message (about 1 KB a task) otherwise. Unprocessed tasks are never deleted. Dedupe by
   * `SubmitOptions.id` lasts as long as the retention: an id submitted again after its task was pruned runs
   * again. `false`: never prune.
   */
  readonly pruner?:
    | { readonly retention?: Duration.Input | undefined; readonly interval?: Duration.Input | undefined }
    | false
    | undefined
}

/**
 * Moderate lock timings: a runner that dies loses its shards after `shardLockExpiration` (10 s; Effect's default
 * is 35 s), and a runner on a loaded machine still refreshes its locks in time (with 1 s timings, a runner
 * starting on two busy cores was seen to report its lock storage unhealthy). Tune both together: refresh at most
 * a third of the expiry.
 */
export const defaultShardingConfig: Partial<ShardingConfig.ShardingConfig["Service"]> = {
  shardLockRefreshInterval: Duration.seconds(3),
  shardLockExpiration: Duration.seconds(10)
}

export const layerStorage = <E>(
  options: StorageOptions,
  sql: Layer.Layer<SqlClient, E>
): Layer.Layer<Sharding.Sharding, E | SocketServerError | ConfigError> => {
  const runner = options.runner
  const address =
    runner === undefined ? undefined : RunnerAddress.make({ host: runner.host ?? "localhost", port: runner.port })
  const listen =
    runner?.listenHost === undefined ? undefined : RunnerAddress.make({ host: runner.listenHost, port: runner.port })
  const shardingConfig: Partial<ShardingConfig.ShardingConfig["Service"]> = {
    ...defaultShardingConfig,
    ...options.shardingConfig,
    runnerAddress: Option.fromUndefinedOr(address),
    runnerListenAddress: Option.fromUndefinedOr(listen)
  }
  const cluster: Layer.Layer<Sharding.Sharding, SocketServerError | ConfigError, SqlClient> =
    address === undefined
      ? NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig })
      : NodeClusterSocket.layer({ storage: "sql", shardingConfig })
  const sharding = cluster.pipe(Layer.provide(sql))
  const pruner = options.pruner
  if (address === undefined || pruner === false) return sharding
  // `sql` is one Layer value, so the pruner shares the storage's client (Layers are memoized by reference).
  return layerPruner({
    retention: Duration.fromInputUnsafe(pruner?.retention ?? "1 day"),
    interval: Duration.fromInputUnsafe(pruner?.interval ?? "10 minutes")
  }).pipe(Layer.provideMerge(sharding), Layer.provide(sql))
}
