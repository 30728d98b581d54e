import { describe, it } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { type Layer, Redacted } from "effect"
import { ClusterExecutor } from "../src/index.ts"
import { multiProcessSuite } from "./fixtures/multiProcess.ts"
import { findPostgres, startPostgres } from "./fixtures/postgres.ts"
import { testShardingConfig } from "./fixtures/sharding.ts"

const postgres = findPostgres()

if (typeof postgres === "string") {
  console.log(`NOTICE: skipping the PostgreSQL cluster tests: ${postgres}`)
  describe.skip("2 runner processes + a client on postgres", () => {
    it("needs PostgreSQL", () => {})
  })
} else {
  multiProcessSuite({
    kind: "postgres",
    database: (dir) => startPostgres(postgres, dir),
    client: (url) =>
      ClusterExecutor.layerPostgres({ url, shardingConfig: testShardingConfig }) as Layer.Layer<any, unknown>,
    sql: (url) => PgClient.layer({ url: Redacted.make(url) })
  })
}
