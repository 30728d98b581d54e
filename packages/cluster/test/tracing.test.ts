import { Executor, Future } from "@effect-futures/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Tracer } from "effect"
import { ClusterExecutor } from "../src/index.ts"
import * as Tasks from "./fixtures/cluster.tasks.ts"

const module = new URL("./fixtures/cluster.tasks.ts", import.meta.url)

/** A tracer that keeps every span it makes. */
const memoryTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { tracer, spans }
}

const parentOf = (span: Tracer.Span) => Option.getOrUndefined(span.parent)?.spanId

describe("ClusterExecutor tracing", () => {
  it.live(
    "a task's span is a child of the submitter's, and Effect Cluster's spans (and the runner's) are in its trace",
    () => {
      const { tracer, spans } = memoryTracer()
      return Effect.gen(function* () {
        const future = yield* Executor.submit(Tasks.double, 21).pipe(Effect.withSpan("request"))
        assert.strictEqual(yield* Future.result(future), 42)
        const request = spans.find((span) => span.name === "request")!
        const trace = spans.filter((span) => span.traceId === request.traceId)
        const [clientTask, runnerTask] = trace.filter((span) => span.name === "effect_futures.task double")
        const send = trace.find((span) => span.name === "effect-futures/Task/v1.client.run")!
        const handler = trace.find((span) => span.name === "effect-futures/Task/v1.run")!
        // request → the client's task span → Effect Cluster's send → the runner's handler → its local task span
        assert.strictEqual(parentOf(clientTask!), request.spanId)
        assert.strictEqual(clientTask!.attributes.get("executor.name"), "traced-cluster")
        assert.strictEqual(clientTask!.attributes.get("executor.kind"), "cluster")
        assert.strictEqual(clientTask!.attributes.get("task.outcome"), "succeeded")
        assert.strictEqual(parentOf(send), clientTask!.spanId)
        assert.strictEqual(parentOf(handler), send.spanId)
        assert.strictEqual(parentOf(runnerTask!), handler.spanId)
      }).pipe(
        Effect.provide(ClusterExecutor.layerTest({ module, name: "traced-cluster" })),
        Effect.provideService(Tracer.Tracer, tracer)
      )
    }
  )
})
