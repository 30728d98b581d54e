// The effect/rpc worker: serves BenchRpcs over parentPort.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeWorkerRunner from "@effect/platform-node/NodeWorkerRunner"
import { Effect, Layer } from "effect"
import { RpcServer } from "effect/rpc"
import { BenchRpcs } from "./rpcContract.ts"

const Handlers = BenchRpcs.toLayer({
  Noop: ({ n }) => Effect.succeed(n)
})

RpcServer.layer(BenchRpcs).pipe(
  Layer.provide(Handlers),
  Layer.provide(RpcServer.layerProtocolWorkerRunner),
  Layer.provide(NodeWorkerRunner.layer),
  Layer.launch,
  NodeRuntime.runMain
)
