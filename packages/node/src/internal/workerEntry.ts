/**
 * The worker entry every pool worker runs, as a `worker_threads` worker or a `child_process.fork` child:
 * imports the task module by URL, indexes its tasks by name, and serves them one message per task.
 * Users write no worker file of their own.
 *
 * Runs under plain Node 24 (type stripping): erasable TypeScript with `.ts` imports only.
 *
 * @internal
 */
import { Cause, Effect, Exit, Fiber, Result } from "effect"
import { parentPort, workerData } from "node:worker_threads"
import * as Protocol from "./protocol.ts"
import { indexTasks } from "./taskModule.ts"
import { workerCodec, type WorkerCodec } from "./taskCodec.ts"

const send: (message: Protocol.FromWorker, transfer?: ReadonlyArray<Transferable>) => void =
  parentPort !== null
    ? (message, transfer) => parentPort!.postMessage(message, transfer as any)
    : (message) => {
        process.send!(message)
      }

const onParentMessage = (listener: (message: Protocol.ToWorker) => void): void => {
  if (parentPort !== null) parentPort.on("message", listener)
  else process.on("message", listener as (message: unknown) => void)
}

// A child whose parent went away must not linger.
if (parentPort === null) process.on("disconnect", () => process.exit(0))

const moduleHref: string = parentPort !== null ? workerData.module : process.argv[2]!

const codecs = new Map<string, WorkerCodec>()
const running = new Map<number, Fiber.Fiber<unknown, unknown>>()

const reply = (id: number, status: Protocol.Status, value: unknown, transfer?: ReadonlyArray<Transferable>): void => {
  try {
    send([Protocol.RESULT, id, status, value], transfer)
  } catch (error) {
    // The value cannot be cloned (a function, a symbol, …): say so instead of going silent.
    send([Protocol.RESULT, id, Protocol.ENCODE_FAILED, `the result cannot be sent: ${String(error)}`])
  }
}

const replyExit = (id: number, codec: WorkerCodec, exit: Exit.Exit<unknown, unknown>): void => {
  if (Exit.isSuccess(exit)) {
    const encoded = codec.encodeSuccess(exit.value)
    if (encoded.ok) reply(id, Protocol.SUCCESS, encoded.value, encoded.transfer)
    else reply(id, Protocol.ENCODE_FAILED, encoded.message)
    return
  }
  const error = Cause.findError(exit.cause)
  if (Result.isSuccess(error)) {
    const encoded = codec.encodeFailure(error.success)
    if (encoded.ok) reply(id, Protocol.FAILURE, encoded.value)
    else reply(id, Protocol.ENCODE_FAILED, encoded.message)
    return
  }
  const defect = Cause.findDefect(exit.cause)
  if (Result.isSuccess(defect)) reply(id, Protocol.DEFECT, Protocol.serializeError(defect.success))
  else reply(id, Protocol.INTERRUPTED, undefined)
}

const run = (id: number, name: string, payload: unknown): void => {
  const codec = codecs.get(name)
  if (codec === undefined) {
    reply(id, Protocol.DECODE_FAILED, `the task module does not export a task named "${name}"`)
    return
  }
  const input = codec.decodeInput(payload)
  if (!input.ok) {
    reply(id, Protocol.DECODE_FAILED, input.message)
    return
  }
  let effect: Effect.Effect<unknown, unknown>
  try {
    effect = codec.task.run(input.value)
  } catch (defect) {
    reply(id, Protocol.DEFECT, Protocol.serializeError(defect))
    return
  }
  const fiber = Effect.runFork(effect)
  const done = fiber.pollUnsafe()
  // Synchronous tasks end inside runFork: reply at once, no bookkeeping.
  if (done !== undefined) return replyExit(id, codec, done)
  running.set(id, fiber)
  fiber.addObserver((exit) => {
    running.delete(id)
    replyExit(id, codec, exit)
  })
}

const onMessage = (message: Protocol.ToWorker): void => {
  switch (message[0]) {
    case Protocol.RUN:
      return run(message[1], message[2], message[3])
    case Protocol.INTERRUPT:
      return running.get(message[1])?.interruptUnsafe()
    case Protocol.CLOSE:
      return process.exit(0)
  }
}

const start = async (): Promise<void> => {
  let module: Record<string, unknown>
  try {
    module = await import(moduleHref)
  } catch (error) {
    send([Protocol.LOAD_FAILED, "import", Protocol.serializeError(error)])
    return
  }
  const indexed = indexTasks(module)
  if ("duplicate" in indexed) {
    const message = `the exports "${indexed.exports[0]}" and "${indexed.exports[1]}" are two tasks named "${indexed.duplicate}"`
    send([Protocol.LOAD_FAILED, "duplicate", { name: "TaskModuleError", message }])
    return
  }
  for (const [name, task] of indexed.tasks) codecs.set(name, workerCodec(task))
  onParentMessage(onMessage)
  send([Protocol.READY, [...indexed.tasks.keys()]])
}

start()
