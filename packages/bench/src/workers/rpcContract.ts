// The effect/rpc contract of the rpc worker pool contender.
import { Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"

export const Noop = Rpc.make("Noop", { payload: { n: Schema.Number }, success: Schema.Number })

export class BenchRpcs extends RpcGroup.make(Noop) {}
