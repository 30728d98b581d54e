import { Effect, Layer } from "effect"
import { join } from "node:path"
import { ClusterExecutor } from "../src/index.ts"
import { layerSqliteClient } from "../src/internal/sqliteClient.ts"
import { multiProcessSuite } from "./fixtures/multiProcess.ts"
import { testShardingConfig } from "./fixtures/sharding.ts"

multiProcessSuite({
  kind: "sqlite",
  database: (dir) => Effect.succeed(join(dir, "cluster.db")),
  client: (path) =>
    ClusterExecutor.layerSqlite({ path, shardingConfig: testShardingConfig }) as Layer.Layer<any, unknown>,
  sql: (path) => layerSqliteClient({ path, busyTimeout: 5000 })
})
