// What a user's app does with the installed packages: every executor, both kinds of task module, typed
// errors arriving as their own classes. Exits non-zero with the first mismatch.
//
// effect is imported by module (`effect/Effect`), as our packages do: it loads only what is used.
import { Executor, Future } from "@effect-futures/core"
import { NodeExecutor } from "@effect-futures/node"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { measure, TooLongError } from "./measure.tasks.ts"
import { NegativeError, shout, square } from "./square.tasks.mjs"

// Run from the sources, the task modules are the files beside this one; bundled, they are the bundle's
// outputs, and the worker entry is the bundle's own copy.
const bundled = !import.meta.url.endsWith(".ts")
const taskModule = (name: string, extension: string) =>
  new URL(`./${name}${bundled ? ".js" : extension}`, import.meta.url)
const squareModule = taskModule("square.tasks", ".mjs")
const measureModule = taskModule("measure.tasks", ".ts")
const workerEntry = bundled ? { workerEntry: new URL("./workerEntry.js", import.meta.url) } : {}

const expect = (label: string, actual: unknown, expected: unknown) =>
  JSON.stringify(actual) === JSON.stringify(expected)
    ? Effect.void
    : Effect.die(new Error(`${label}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`))

const squares = (executor: string) =>
  Effect.gen(function* () {
    const future = yield* Executor.submit(square, 7)
    yield* expect(`${executor}: submit + result`, yield* Future.result(future), 49)
    const mapped = yield* Stream.runCollect(Executor.map(square, [1, 2, 3, 4]))
    yield* expect(`${executor}: map`, mapped, [1, 4, 9, 16])
    const error = yield* Executor.submit(square, -2).pipe(Effect.flatMap(Future.result), Effect.flip)
    yield* expect(`${executor}: a typed error arrives as its class`, error instanceof NegativeError, true)
    // A class from a JavaScript module has no declared fields for TypeScript: read it as data.
    yield* expect(`${executor}: the error's fields`, Reflect.get(error as object, "value"), -2)
    yield* expect(`${executor}: Task.fromFunction`, yield* Future.result(yield* Executor.submit(shout, "hi")), "HI!")
  })

/** A task's spans, made where it ran, arrive in this tracer under its task span. */
const traced = (executor: string, onPool: boolean) =>
  Effect.gen(function* () {
    const names: Array<string> = []
    const tracer = Tracer.make({
      span: (options) => (names.push(options.name), new Tracer.NativeSpan(options))
    })
    yield* Executor.submit(measure, "span").pipe(
      Effect.flatMap(Future.result),
      Effect.withSpan("request"),
      Effect.provideService(Tracer.Tracer, tracer)
    )
    const expected = onPool
      ? ["request", "effect_futures.task measure", "effect_futures.run measure", "measuring"]
      : ["request", "effect_futures.task measure", "measuring"]
    yield* expect(`${executor}: spans`, names, expected)
  })

const measures = (executor: string, inWorker: boolean, onPool = inWorker) =>
  Effect.gen(function* () {
    yield* traced(executor, onPool)
    const measured = yield* Future.result(yield* Executor.submit(measure, "four"))
    yield* expect(`${executor}: a .ts task module`, measured.length, 4)
    yield* expect(`${executor}: ran in another process`, measured.pid !== process.pid, inWorker)
    const error = yield* Executor.submit(measure, "far too long").pipe(Effect.flatMap(Future.result), Effect.flip)
    yield* expect(`${executor}: a .ts module's typed error`, error instanceof TooLongError && error.length, 12)
  })

const program = Effect.gen(function* () {
  yield* Effect.provide(
    Effect.andThen(squares("layerFiber"), measures("layerFiber", false)),
    Executor.layerFiber({ maxWorkers: 2 })
  )
  yield* Effect.provide(
    squares("layerWorkerThreads"),
    NodeExecutor.layerWorkerThreads({ module: squareModule, maxWorkers: 2, ...workerEntry })
  )
  yield* Effect.provide(
    measures("layerWorkerThreads", false, true),
    NodeExecutor.layerWorkerThreads({ module: measureModule, maxWorkers: 2, ...workerEntry })
  )
  yield* Effect.provide(
    squares("layerChildProcesses"),
    NodeExecutor.layerChildProcesses({ module: squareModule, maxWorkers: 2 })
  )
  yield* Effect.provide(
    measures("layerChildProcesses", true),
    NodeExecutor.layerChildProcesses({ module: measureModule, maxWorkers: 2 })
  )
})

Effect.runPromise(program).then(
  () => {
    const runtime = process.versions.bun === undefined ? `Node ${process.versions.node}` : `Bun ${process.versions.bun}`
    console.log(`consumer ok on ${runtime}${bundled ? " (bundled)" : ""}`)
  },
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
