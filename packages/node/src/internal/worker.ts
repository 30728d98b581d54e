/**
 * A pool worker, as a `worker_threads` worker or a `child_process.fork` child (loaded by `workerEntry.ts`):
 * imports the task module by URL, indexes its tasks by name, and runs the tasks it is handed one at a time,
 * in order, replying to each as it ends.
 *
 * Runs under plain Node 24 (type stripping): erasable TypeScript with `.ts` imports only. Imports effect's
 * modules one by one, not its index: a worker that loads the index compiles ~250 modules, most of which
 * it never uses, and that is most of its start-up.
 *
 * @internal
 */
import { type ChunkStep, runChunkUnsafe } from "@effect-futures/core/internal/chunk"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Result from "effect/Result"
import { parentPort, receiveMessageOnPort, threadId, workerData, type Transferable } from "node:worker_threads"
import { serializeError } from "./errorCodec.ts"
import * as Protocol from "./protocol.ts"
import type { TraceParent, WireSpan } from "./protocol.ts"
import { runTraced } from "./remoteSpans.ts"
import { indexTasks, unknownTaskHint } from "./taskModule.ts"
import { workerCodec, type WorkerCodec } from "./taskCodec.ts"

const isChild = parentPort === null

/**
 * In a child, a task of a batch starts only after the previous reply has left the process: a task that
 * calls `process.exit` must not take a queued reply with it (the parent would then fail a task that ran and
 * run it twice). A thread needs no such wait: the parent drains a worker's messages before its exit event.
 */
let unflushed = 0
let waitingForFlush = false
const flushed = (): void => {
  if (--unflushed === 0 && waitingForFlush) {
    waitingForFlush = false
    drain()
  }
}

const send: (message: Protocol.FromWorker, transfer?: ReadonlyArray<Transferable>) => void = !isChild
  ? (message, transfer) => parentPort!.postMessage(message, transfer as any)
  : (message) => {
      unflushed++
      try {
        process.send!(message, flushed)
      } catch (error) {
        // Refused before it was queued (a value that cannot be serialized): no callback will come.
        unflushed--
        throw error
      }
    }

const onParentMessage = (listener: (message: Protocol.ToWorker) => void): void => {
  if (parentPort !== null) {
    parentPort.on("message", (message: Protocol.ToWorker) => {
      listener(message)
      awaitNextMessage()
    })
  } else {
    process.on("message", listener as (message: unknown) => void)
  }
}

/** A thread's count of the messages its parent posted (see `transport.ts`); none in a child. */
const signal: Int32Array | undefined = parentPort !== null ? workerData.signal : undefined

/** How long an idle thread sleeps on `signal` for its next task before it goes back to its event loop. */
const IDLE_WAIT_MILLIS = 2

/**
 * How long an idle thread polls for its next task before it sleeps: a task that follows within it is taken
 * with no futex wake-up on either side (on this 2-core VM, one-at-a-time latency fell from ~50 µs to ~8 µs),
 * for at most this much CPU per idle spell.
 */
const SPIN_MILLIS = 0.05

/**
 * An idle thread polls for a moment, then sleeps on `signal`, and reads its next messages straight off the
 * port: no wake-up at all, or a futex wake-up, instead of a trip through the event loop, which is most of a
 * single task's latency. Past `IDLE_WAIT_MILLIS` it returns to its event loop, so timers and I/O a task left
 * behind are held up no longer.
 */
const awaitNextMessage = (): void => {
  if (signal === undefined) return
  let since = performance.now()
  while (!draining) {
    const seen = Atomics.load(signal, 0)
    const entry = receiveMessageOnPort(parentPort!)
    if (entry !== undefined) {
      onMessage(entry.message as Protocol.ToWorker)
      since = performance.now()
      continue
    }
    if (performance.now() - since < SPIN_MILLIS) continue
    const left = IDLE_WAIT_MILLIS - (performance.now() - since)
    // Sleeping is announced before the wait: a parent that posts after it sees the flag and wakes this
    // thread; one that posted before changed the count, and the wait returns at once.
    Atomics.store(signal, 1, 1)
    const woken = left <= 0 ? "timed-out" : Atomics.wait(signal, 0, seen, left)
    Atomics.store(signal, 1, 0)
    if (woken === "timed-out") {
      const last = receiveMessageOnPort(parentPort!)
      if (last === undefined) return
      onMessage(last.message as Protocol.ToWorker)
      since = performance.now()
    }
  }
}

// A child whose parent went away must not linger.
if (isChild) process.on("disconnect", () => process.exit(0))

const moduleHref: string = parentPort !== null ? workerData.module : process.argv[2]!
// A child shows its pool's name in `ps` (a thread's name is given by its parent).
if (isChild && process.argv[3] !== undefined) process.title = process.argv[3]

const codecs = new Map<string, WorkerCodec>()

type Outcome = readonly [status: Protocol.Status, value: unknown, transfer: ReadonlyArray<Transferable> | undefined]

const reply = (id: number, [status, value, transfer]: Outcome, spans?: ReadonlyArray<WireSpan>): void => {
  try {
    send(
      spans === undefined ? [Protocol.RESULT, id, status, value] : [Protocol.RESULT, id, status, value, spans],
      transfer
    )
  } catch (error) {
    // The value cannot be cloned (a function, a symbol, …): say so instead of going silent.
    send([Protocol.RESULT, id, Protocol.ENCODE_FAILED, `the result cannot be sent: ${String(error)}`, spans])
  }
}

/** What a traced task's worker span says of where it ran. */
const workerAttributes = { "worker.pid": process.pid, "worker.thread_id": threadId }

const outcomeOf = (codec: WorkerCodec, exit: Exit.Exit<unknown, unknown>): Outcome => {
  if (Exit.isSuccess(exit)) {
    const encoded = codec.encodeSuccess(exit.value)
    return encoded.ok
      ? [Protocol.SUCCESS, encoded.value, encoded.transfer]
      : [Protocol.ENCODE_FAILED, encoded.message, undefined]
  }
  const error = Cause.findError(exit.cause)
  if (Result.isSuccess(error)) {
    const encoded = codec.encodeFailure(error.success)
    return encoded.ok
      ? [Protocol.FAILURE, encoded.value, undefined]
      : [Protocol.ENCODE_FAILED, encoded.message, undefined]
  }
  const defect = Cause.findDefect(exit.cause)
  return Result.isSuccess(defect)
    ? [Protocol.DEFECT, serializeError(defect.success), undefined]
    : [Protocol.INTERRUPTED, undefined, undefined]
}

/** The fiber of the task (or of the chunk's current input) running now, if it did not end at once. */
let current: { readonly id: number; readonly fiber: Fiber.Fiber<unknown, unknown> } | undefined = undefined

/**
 * Runs a task on one input. A synchronous task ends inside `runFork` and its outcome is returned at once;
 * otherwise `undefined` is returned and `resume` gets the outcome when the fiber ends.
 */
const runOne = (
  id: number,
  codec: WorkerCodec,
  payload: unknown,
  resume: (outcome: Outcome) => void,
  trace?: TraceParent,
  spans?: Array<WireSpan>
) => {
  const input = codec.decodeInput(payload)
  if (!input.ok) return [Protocol.DECODE_FAILED, input.message, undefined] as Outcome
  let effect: Effect.Effect<unknown, unknown>
  try {
    effect = codec.task.run(input.value)
  } catch (defect) {
    return [Protocol.DEFECT, serializeError(defect), undefined] as Outcome
  }
  if (trace !== undefined) effect = runTraced(effect, codec.task.name, trace, spans!, workerAttributes)
  const fiber = Effect.runFork(effect)
  const done = fiber.pollUnsafe()
  if (done !== undefined) return outcomeOf(codec, done)
  current = { id, fiber }
  fiber.addObserver((exit) => {
    current = undefined
    resume(outcomeOf(codec, exit))
  })
  return undefined
}

/** Core's chunk rule (`runChunkUnsafe`) on a worker's outcomes. */
const chunkStepOf = ([status]: Outcome): ChunkStep =>
  status === Protocol.SUCCESS ? "next" : status === Protocol.INTERRUPTED ? "interrupt" : "stop"

/**
 * Runs a task over a chunk's inputs by core's chunk rule (Python's `_process_chunk`) and replies once.
 * Returns whether it went asynchronous (then `done` is called when it ends).
 */
const runChunk = (
  id: number,
  codec: WorkerCodec,
  inputs: ReadonlyArray<unknown>,
  done: () => void,
  trace: TraceParent | undefined,
  spans: Array<WireSpan> | undefined
): boolean => {
  let wentAsync = false
  wentAsync = runChunkUnsafe(
    inputs,
    // A traced chunk runs each input under a span of its own, all children of the chunk's span in the caller.
    (input, resume: (outcome: Outcome) => void) => runOne(id, codec, input, resume, trace, spans),
    chunkStepOf,
    (outcomes, interrupted) => {
      // An interrupt stops the whole chunk: its future ends cancelled.
      if (interrupted) {
        reply(id, [Protocol.INTERRUPTED, undefined, undefined], spans)
      } else {
        const results: Array<unknown> = []
        const transfers: Array<Transferable> = []
        for (const [status, value, transfer] of outcomes) {
          results.push(status, value)
          if (transfer !== undefined) transfers.push(...transfer)
        }
        reply(id, [Protocol.CHUNK, results, transfers.length === 0 ? undefined : transfers], spans)
      }
      if (wentAsync) done()
    }
  )
  return wentAsync
}

/**
 * Tasks handed to this worker and not started yet, three fields each: id, task name, payload. A traced task's
 * name comes with its caller's span: `[name, traceId, spanId, sampled]`.
 */
const pending: Array<unknown> = []
let head = 0
let draining = false

/** Runs the handed tasks one at a time, in order, until none is left or one goes asynchronous. */
const drain = (): void => {
  draining = true
  while (head < pending.length) {
    if (isChild && unflushed > 0) {
      waitingForFlush = true
      return
    }
    const signedId = pending[head] as number
    const named = pending[head + 1] as string | readonly [string, ...TraceParent]
    const payload = pending[head + 2]
    pending[head + 2] = undefined
    head += 3
    const id = signedId < 0 ? -signedId : signedId
    const traced = typeof named !== "string"
    const name = traced ? named[0] : named
    const codec = codecs.get(name)
    if (codec === undefined) {
      const message =
        `the task module ${moduleHref} does not export a task named "${name}"` + unknownTaskHint(name, codecs.keys())
      reply(id, [Protocol.DECODE_FAILED, message, undefined])
      continue
    }
    const trace = traced ? (named.slice(1) as unknown as TraceParent) : undefined
    const spans: Array<WireSpan> | undefined = traced ? [] : undefined
    if (signedId < 0) {
      if (runChunk(id, codec, payload as ReadonlyArray<unknown>, drainThenWait, trace, spans)) return
      continue
    }
    const outcome = runOne(
      id,
      codec,
      payload,
      (outcome) => {
        reply(id, outcome, spans)
        drain()
        awaitNextMessage()
      },
      trace,
      spans
    )
    if (outcome === undefined) return
    reply(id, outcome, spans)
  }
  pending.length = 0
  head = 0
  draining = false
}

const drainThenWait = (): void => {
  drain()
  awaitNextMessage()
}

const onMessage = (message: Protocol.ToWorker): void => {
  switch (message[0]) {
    case Protocol.RUN: {
      for (let i = 1; i < message.length; i++) pending.push(message[i])
      if (!draining) drain()
      return
    }
    case Protocol.INTERRUPT: {
      const id = message[1]
      if (current !== undefined && current.id === id) return current.fiber.interruptUnsafe()
      // Not started yet: dropped, and answered at once (out of order), so that its interrupt does not wait for
      // the tasks before it, which may never end.
      for (let i = head; i < pending.length; i += 3) {
        const pendingId = pending[i] as number
        if (pendingId === id || pendingId === -id) {
          pending.splice(i, 3)
          return reply(id, [Protocol.INTERRUPTED, undefined, undefined])
        }
      }
      return
    }
    case Protocol.CLOSE:
      return process.exit(0)
  }
}

const start = async (): Promise<void> => {
  let module: Record<string, unknown>
  try {
    module = await import(moduleHref)
  } catch (error) {
    send([Protocol.LOAD_FAILED, "import", serializeError(error)])
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
