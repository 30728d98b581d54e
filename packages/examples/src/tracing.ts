/**
 * Tracing across workers: one request handled by a program that sends one task to a pool of worker threads
 * and one to a pool of child processes. OpenTelemetry is installed in this process only (`NodeSdk.layer`, spans
 * kept in memory); the spans the tasks make in their workers come back with their results, so the request is
 * one trace, printed as a tree with each span's own duration.
 */
import { Executor, Future } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect } from "effect"
import { buildReport } from "./tasks/report.tasks.ts"

const module = new URL("./tasks/report.tasks.ts", import.meta.url)

/** The same request code whatever the pool: submit, then wait. */
const report = (region: string) => Effect.flatMap(Executor.submit(buildReport, region), Future.result)

const handleRequest = Effect.gen(function* () {
  const onThreads = yield* report("north").pipe(
    Effect.provide(NodeExecutor.layerWorkerThreads({ module, maxWorkers: 1, name: "reports-threads" }))
  )
  const onProcesses = yield* report("south").pipe(
    Effect.provide(NodeExecutor.layerChildProcesses({ module, maxWorkers: 1, name: "reports-processes" }))
  )
  return [onThreads, onProcesses]
}).pipe(Effect.withSpan("GET /reports"))

const millis = ([seconds, nanos]: readonly [number, number]) => seconds * 1e3 + nanos / 1e6

/** The spans as an indented tree, from their parent links. */
export const tree = (spans: ReadonlyArray<ReadableSpan>): Array<string> => {
  const children = new Map<string | undefined, Array<ReadableSpan>>()
  const ids = new Set(spans.map((span) => span.spanContext().spanId))
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId
    const key = parent !== undefined && ids.has(parent) ? parent : undefined
    children.set(key, [...(children.get(key) ?? []), span])
  }
  const lines: Array<string> = []
  const visit = (span: ReadableSpan, depth: number) => {
    const { "executor.name": executor, "worker.pid": pid, "worker.thread_id": thread } = span.attributes
    const where =
      executor !== undefined
        ? `  (${executor})`
        : pid !== undefined
          ? `  (worker: pid ${pid}${thread === 0 ? "" : `, thread ${thread}`})`
          : ""
    lines.push(`${"  ".repeat(depth)}${span.name}  ${millis(span.duration).toFixed(1)} ms${where}`)
    const below = [...(children.get(span.spanContext().spanId) ?? [])]
    below.sort((a, b) => millis(a.startTime) - millis(b.startTime))
    for (const child of below) visit(child, depth + 1)
  }
  for (const root of children.get(undefined) ?? []) visit(root, 0)
  return lines
}

export const program = Effect.gen(function* () {
  const exporter = new InMemorySpanExporter()
  // Read before the SDK shuts down: an in-memory exporter forgets its spans then.
  const [results, spans] = yield* Effect.all([handleRequest, Effect.sync(() => exporter.getFinishedSpans())]).pipe(
    Effect.provide(
      NodeSdk.layer(() => ({
        resource: { serviceName: "effect-futures-example" },
        spanProcessor: new SimpleSpanProcessor(exporter)
      }))
    )
  )
  const traces = new Set(spans.map((span) => span.spanContext().traceId))
  const lines = [
    `results: ${results.join(", ")}`,
    `${spans.length} spans in ${traces.size} trace${traces.size === 1 ? "" : "s"}:`,
    ...tree(spans)
  ]
  for (const line of lines) console.log(line)
  return lines
})

if (import.meta.main) NodeRuntime.runMain(program)
