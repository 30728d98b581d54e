/**
 * The `Executor` on many processes and hosts, on Effect Cluster: a program that outgrows one machine swaps one
 * Layer, and the same `Executor.submit` / `map` / `Future.asCompleted` / `Future.wait` run on runner processes.
 *
 * A client (`layer`) sends each task as a message to a cluster entity; runners (`layerRunner`) serve the tasks
 * of one task module and run them on a local executor (a worker-thread pool by default). Only tasks the
 * runner's module exports can run: no code crosses the wire. Delivery is at-least-once (see docs/cluster.md).
 *
 * @since 0.1.0
 */
import { Executor } from "@effect-futures/core"
import { executorName } from "@effect-futures/core/internal/stats"
import * as Validate from "@effect-futures/core/internal/validate"
import { NodeExecutor } from "@effect-futures/node"
import type { TaskModuleError } from "@effect-futures/node/NodeExecutor"
import { moduleHref } from "@effect-futures/node/internal/taskModule"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { MessageStorage, RunnerHealth, Runners, RunnerStorage, Sharding, ShardingConfig } from "effect/cluster"
import { PgClient } from "@effect/sql-pg"
import type { ConfigError } from "effect/Config"
import * as Redacted from "effect/Redacted"
import type { SocketServerError } from "effect/socket/SocketServer"
import type { SqlError } from "effect/sql/SqlError"
import { ClusterClient, executorOf } from "./internal/client.ts"
import { layerSqliteClient } from "./internal/sqliteClient.ts"
import { layerStorage, type StorageOptions } from "./internal/storage.ts"
import { loadRunnerTasks, runRequest } from "./internal/runner.ts"
import { entityIdOf, type RunPayload, TaskEntity } from "./internal/taskEntity.ts"

// Declared in internal/storage.ts, which reads them, so that it need not import this module.
export type { RunnerAddressOptions, StorageOptions } from "./internal/storage.ts"

/**
 * How tasks travel. `"durable"` (the default): each task is stored before it is sent, deduplicated by its id,
 * and run again by another runner if its runner dies before answering, even if the client dies too.
 * `"volatile"`: sent over the network only, several times faster (round trip under 1 ms against about 2-4 ms);
 * while the client lives, a task whose runner dies is sent again to the shard's next owner, but nothing is
 * stored, so it is lost with the client, and ids are not deduplicated.
 *
 * @since 0.1.0
 * @category models
 */
export type Durability = "durable" | "volatile"

/**
 * Options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** At most this many tasks sent and not yet answered (default 64); the rest wait in the client's queue. */
  readonly maxWorkers?: number | undefined
  /** Default `"durable"`. */
  readonly durability?: Durability | undefined
  /** The executor's name: the `executor_name` attribute of its metrics (default `cluster-<n>`). */
  readonly name?: string | undefined
  /**
   * A span per task in the submitter's trace (default `true`), with Effect Cluster's own spans under it; `false`:
   * none.
   */
  readonly tracing?: boolean | undefined
  /** How long a normal close of the Layer's scope waits for the tasks before it interrupts them (default: no limit). */
  readonly shutdownTimeout?: Duration.Input | undefined
  /**
   * How many entities the task ids are spread over (default 1024); ids map to them by a hash, so one id always
   * reaches the same entity. Every client and runner of a cluster must use the same number.
   */
  readonly buckets?: number | undefined
  /**
   * How long building the Layer waits for a runner to answer a ping (default 10 seconds): once one has, the
   * client knows the shard assignments and its first durable task is delivered at once. If none answers in time,
   * the Layer is built anyway and tasks wait in storage for a runner.
   */
  readonly warmUpTimeout?: Duration.Input | undefined
}

/**
 * Options of {@link layerRunner}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunnerOptions<E = never, R = never> {
  /** The task module's URL (or a `file:` URL string, or a path): the only tasks this runner runs. */
  readonly module: URL | string
  /**
   * The local executor the tasks run on (default: `NodeExecutor.layerWorkerThreads({ module })`). Keep CPU-bound
   * tasks off the runner's own event loop: a blocked runner cannot refresh its shard locks.
   */
  readonly executor?: Layer.Layer<Executor.Executor, E, R> | undefined
  /** See {@link ClientOptions.buckets}; must match the clients' (default 1024). */
  readonly buckets?: number | undefined
}

const defaultMaxWorkers = 64
const defaultBuckets = 1024

const clientOptionKeys = ["maxWorkers", "durability", "name", "tracing", "shutdownTimeout", "buckets", "warmUpTimeout"]

/** The client's options, each checked before anything starts (docs/concepts.md, "Options are checked"). */
const checkClientOptions = (options: Validate.Options) => {
  Validate.literal(options, "durability", ["durable", "volatile"])
  Validate.string(options, "name")
  Validate.boolean(options, "tracing")
  return {
    maxWorkers: Validate.count(options, "maxWorkers", defaultMaxWorkers),
    buckets: Validate.count(options, "buckets", defaultBuckets),
    shutdownTimeout: Validate.duration(options, "shutdownTimeout", { min: 0 }),
    warmUpTimeout: Validate.duration(options, "warmUpTimeout", { min: 0 }) ?? Duration.seconds(10)
  }
}

const isModuleInput = (value: unknown) => typeof value === "string" || value instanceof URL

const checkModule = (options: Validate.Options): void => {
  Validate.required(options, "module", "the task module's URL")
  Validate.must(options, "module", isModuleInput, "a URL, a file: URL string or a path")
}

const isLayer = (value: unknown) => Layer.isLayer(value)

/**
 * The cluster client: provides `Executor` and requires Effect Cluster's `Sharding` (from `layerSqlite`,
 * `layerPostgres`, or a Sharding Layer of your own). Tasks are sent to the runners (`layerRunner`); at most
 * `maxWorkers` are in flight, and the rest wait in the client's queue, where `Future.cancel` is real.
 * `Future.interrupt` sends an interrupt to the runner's handler. `SubmitOptions.id` is the task's idempotency
 * key. Shutdown and stats are the client's. Closing the Layer's scope is `shutdown()`.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import type { Sharding } from "effect/cluster"
 * import { Executor, Future } from "@effect-futures/core"
 * import { ClusterExecutor } from "@effect-futures/cluster"
 * import { countPrimes } from "./primes.tasks.ts"
 *
 * const program = Effect.gen(function* () {
 *   const future = yield* Executor.submit(countPrimes, 1_000_000, { id: "primes-1e6" })
 *   return yield* Future.result(future)
 * })
 *
 * // Effect Cluster's Sharding, e.g. from ClusterExecutor.layerSqlite
 * declare const ShardingLive: Layer.Layer<Sharding.Sharding>
 *
 * const ClientLive = ClusterExecutor.layer({ durability: "durable" }).pipe(Layer.provide(ShardingLive))
 * const result = program.pipe(Effect.provide(ClientLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: ClientOptions): Layer.Layer<Executor.Executor, never, Sharding.Sharding> =>
  makeClient(
    () => checkClientOptions(Validate.readOptions("ClusterExecutor.layer", options, clientOptionKeys)),
    options
  )

const makeClient = (
  check: () => ReturnType<typeof checkClientOptions>,
  options: ClientOptions | undefined
): Layer.Layer<Executor.Executor, never, Sharding.Sharding> =>
  Layer.effect(Executor.Executor)(
    Effect.gen(function* () {
      const { maxWorkers, buckets, shutdownTimeout, warmUpTimeout } = yield* Validate.checked(check)
      const clientFor = yield* TaskEntity.client
      yield* warmUp(clientFor(entityIdOf("ping", buckets)).ping(), warmUpTimeout)
      const durable = (options?.durability ?? "durable") === "durable"
      const client = new ClusterClient({
        maxWorkers,
        name: executorName("cluster", options?.name),
        tracing: options?.tracing ?? true,
        context: yield* Effect.context<never>(),
        send: durable
          ? (request) => clientFor(entityIdOf(request.id, buckets)).run(request)
          : (request) => clientFor(entityIdOf(request.id, buckets)).runVolatile(request)
      })
      yield* Effect.addFinalizer((exit) => client.close(exit, shutdownTimeout))
      return executorOf(client, maxWorkers)
    })
  )

/** Pings until a runner answers (each try bounded, the whole bounded by `timeout`); never fails. */
const warmUp = (ping: Effect.Effect<void, unknown>, timeout: Duration.Input): Effect.Effect<void> =>
  ping.pipe(
    Effect.timeout("1 second"),
    Effect.retry(Schedule.spaced("50 millis")),
    Effect.timeout(timeout),
    Effect.ignore
  )

/**
 * Serves a task module's tasks on this process's cluster runner: each task the clients send runs on a *local*
 * executor (default `NodeExecutor.layerWorkerThreads({ module })`), and its result, typed failure or defect goes
 * back as data. Requires `Sharding` from a runner (not client-only) cluster Layer. A task name the module does
 * not export fails that task's future with `TaskEncodeError`; the module is imported when the Layer is built.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import type { Sharding } from "effect/cluster"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { ClusterExecutor } from "@effect-futures/cluster"
 *
 * // Effect Cluster's Sharding for a runner, e.g. from ClusterExecutor.layerSqlite
 * declare const ShardingLive: Layer.Layer<Sharding.Sharding>
 *
 * const RunnerLive = ClusterExecutor.layerRunner({ module: new URL("./primes.tasks.ts", import.meta.url) }).pipe(
 *   Layer.provide(ShardingLive)
 * )
 * Layer.launch(RunnerLive).pipe(NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRunner = <E = never, R = never>(
  options: RunnerOptions<E, R>
): Layer.Layer<never, TaskModuleError | E, Sharding.Sharding | R> => {
  const local: Layer.Layer<Executor.Executor, TaskModuleError | E, R> =
    options.executor ?? NodeExecutor.layerWorkerThreads({ module: options.module })
  // The options are checked, then the module is imported, so a bad one fails the Layer with its TaskModuleError.
  const check = Validate.checked(() => {
    const checked = Validate.readOptions("ClusterExecutor.layerRunner", options, ["module", "executor", "buckets"])
    checkModule(checked)
    Validate.must(checked, "executor", isLayer, "a Layer that provides Executor")
    Validate.count(checked, "buckets", defaultBuckets)
    return moduleHref(options.module)
  })
  return Layer.unwrap(
    Effect.flatMap(check, (href) =>
      Effect.map(loadRunnerTasks(options.module), (tasks) =>
        TaskEntity.toLayer(
          Executor.Executor.useSync((executor) => {
            const run = ({ payload }: { readonly payload: RunPayload }) => runRequest(tasks, href, executor, payload)
            return TaskEntity.of({ run, runVolatile: run, ping: () => Effect.void })
          }),
          // Tasks of one entity run side by side (the local executor bounds them); a handler never dies, and
          // `disableFatalDefects` keeps a defect in the machinery from being retried for ever.
          { concurrency: "unbounded", disableFatalDefects: true }
        ).pipe(Layer.provide(local))
      )
    )
  )
}

/**
 * Options of {@link layerTest}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestOptions<E = never, R = never> extends Omit<ClientOptions, "warmUpTimeout"> {
  /** The task module the in-memory runner serves. */
  readonly module: URL | string
  /** The runner's local executor (default `Executor.layerFiber()`: everything in this thread). */
  readonly executor?: Layer.Layer<Executor.Executor, E, R> | undefined
}

/**
 * A whole cluster in this process, in memory: Effect Cluster's `TestRunner` (in-memory storage, no network), a
 * runner serving `module` on a local executor (default `Executor.layerFiber()`), and the client. For tests of
 * programs written against the cluster executor: the same messages, dedupe and replies, without a database.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, Future } from "@effect-futures/core"
 * import { ClusterExecutor } from "@effect-futures/cluster"
 * import { countPrimes } from "./primes.tasks.ts"
 *
 * const program = Effect.gen(function* () {
 *   const future = yield* Executor.submit(countPrimes, 1_000)
 *   return yield* Future.result(future) // 168
 * }).pipe(Effect.provide(ClusterExecutor.layerTest({ module: new URL("./primes.tasks.ts", import.meta.url) })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest = <E = never, R = never>(
  options: TestOptions<E, R>
): Layer.Layer<Executor.Executor, TaskModuleError | E, R> =>
  Layer.unwrap(
    Effect.map(
      Validate.checked(() => checkTestOptions(options)),
      (checked) =>
        makeClient(() => checked, options).pipe(
          Layer.provide(
            layerRunner({
              module: options.module,
              executor: options.executor ?? Executor.layerFiber(),
              buckets: options.buckets
            })
          ),
          Layer.provide(layerTestSharding)
        )
    )
  ) as any

const testOptionKeys = [...clientOptionKeys.filter((key) => key !== "warmUpTimeout"), "module", "executor"]

const checkTestOptions = (input: unknown) => {
  const options = Validate.readOptions("ClusterExecutor.layerTest", input, testOptionKeys)
  checkModule(options)
  Validate.must(options, "executor", isLayer, "a Layer that provides Executor")
  return checkClientOptions(options)
}

/**
 * Effect Cluster's `TestRunner.layer`, but with a runner that does not wait for running tasks when it closes:
 * the client, closed first, has already stopped or interrupted them.
 */
const layerTestSharding = Sharding.layer.pipe(
  Layer.provideMerge(Runners.layerNoop),
  Layer.provideMerge(MessageStorage.layerMemory),
  Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
  Layer.provide(ShardingConfig.layer({ entityTerminationTimeout: Duration.zero }))
)

/**
 * Options of {@link layerSqlite}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteOptions extends StorageOptions {
  /** The SQLite database file every process of the cluster opens (on one host). */
  readonly path: string
  /** How long a write waits for another process's write lock before it fails (default 5 seconds). */
  readonly busyTimeout?: Duration.Input | undefined
}

/**
 * Effect Cluster's `Sharding` for the processes of one host, with its storage in one SQLite file through
 * Node's own `node:sqlite` (no database server; Node 22.18+). Runners talk over sockets; give each runner its
 * `runner: { port }`, and leave `runner` out for a client-only process. For several hosts use
 * {@link layerPostgres}: SQLite's file locks do not hold across machines.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { ClusterExecutor } from "@effect-futures/cluster"
 *
 * // A runner process: serves the tasks of primes.tasks.ts on port 34431.
 * const RunnerLive = ClusterExecutor.layerRunner({ module: new URL("./primes.tasks.ts", import.meta.url) }).pipe(
 *   Layer.provide(ClusterExecutor.layerSqlite({ path: "/var/lib/app/cluster.db", runner: { port: 34431 } }))
 * )
 * Layer.launch(RunnerLive).pipe(NodeRuntime.runMain)
 *
 * // A client process: the program's Executor.
 * const ClientLive = ClusterExecutor.layer().pipe(
 *   Layer.provide(ClusterExecutor.layerSqlite({ path: "/var/lib/app/cluster.db" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (
  options: SqliteOptions
): Layer.Layer<Sharding.Sharding, SqlError | SocketServerError | ConfigError> =>
  Layer.unwrap(
    Effect.map(
      Validate.checked(() => {
        const checked = checkStorageOptions("ClusterExecutor.layerSqlite", options, ["path", "busyTimeout"])
        Validate.required(checked, "path", "the SQLite database file")
        Validate.string(checked, "path")
        return Validate.duration(checked, "busyTimeout", { min: 0 }) ?? Duration.seconds(5)
      }),
      (busyTimeout) =>
        layerStorage(options, layerSqliteClient({ path: options.path, busyTimeout: Duration.toMillis(busyTimeout) }))
    )
  )

/**
 * Options of {@link layerPostgres}.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostgresOptions extends StorageOptions {
  /** The database every process of the cluster connects to: `postgres://user:password@host:5432/database`. */
  readonly url: string | Redacted.Redacted
  /** At most this many connections per process (default 10). */
  readonly maxConnections?: number | undefined
}

/**
 * Effect Cluster's `Sharding` for processes on many hosts, with its storage in PostgreSQL (through
 * `@effect/sql-pg`, which speaks the protocol itself). Runners talk over sockets; give each runner its
 * `runner: { host, port }` (the address the others reach it at), and leave `runner` out for a client-only
 * process. The tables are created on first use.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { ClusterExecutor } from "@effect-futures/cluster"
 *
 * const url = Redacted.make("postgres://cluster:secret@db.internal:5432/cluster")
 *
 * const RunnerLive = ClusterExecutor.layerRunner({ module: new URL("./primes.tasks.ts", import.meta.url) }).pipe(
 *   Layer.provide(ClusterExecutor.layerPostgres({ url, runner: { host: "10.0.0.7", port: 34431 } }))
 * )
 * const ClientLive = ClusterExecutor.layer().pipe(Layer.provide(ClusterExecutor.layerPostgres({ url })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPostgres = (
  options: PostgresOptions
): Layer.Layer<Sharding.Sharding, SqlError | SocketServerError | ConfigError> =>
  Layer.unwrap(
    Effect.map(
      Validate.checked(() => {
        const checked = checkStorageOptions("ClusterExecutor.layerPostgres", options, ["url", "maxConnections"])
        Validate.required(checked, "url", "postgres://user:password@host:5432/database")
        Validate.must(
          checked,
          "url",
          (url) => typeof url === "string" || Redacted.isRedacted(url),
          "a string or a Redacted string"
        )
        return Validate.count(checked, "maxConnections", 10)
      }),
      (maxConnections) =>
        layerStorage(
          options,
          PgClient.layer({
            url: Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url),
            maxConnections
          })
        )
    )
  )

/** What {@link layerSqlite} and {@link layerPostgres} share, checked: the runner's address and the pruner's times. */
const checkStorageOptions = (where: string, input: unknown, own: ReadonlyArray<string>): Validate.Options => {
  const options = Validate.readOptions(where, input, ["runner", "shardingConfig", "pruner", ...own])
  const runner = options.values.runner
  if (runner !== undefined) {
    const address = Validate.readOptions(`${where}: runner`, runner, ["host", "port", "listenHost"])
    Validate.required(address, "port", "the port this runner listens on")
    Validate.count(address, "port", 0, { min: 0 })
    Validate.must(address, "port", (port) => (port as number) <= 65535, "a port number (0-65535)")
    Validate.string(address, "host")
    Validate.string(address, "listenHost")
  }
  Validate.must(
    options,
    "shardingConfig",
    (config) => typeof config === "object" && config !== null,
    "an object of Effect Cluster's ShardingConfig"
  )
  const pruner = options.values.pruner
  if (pruner !== undefined && pruner !== false) {
    const times = Validate.readOptions(`${where}: pruner`, pruner, ["retention", "interval"])
    Validate.duration(times, "retention", { min: 0 })
    Validate.duration(times, "interval", { min: "positive" })
  }
  return options
}
