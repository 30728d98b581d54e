/**
 * One worker, thread or child process, behind the same small interface: post a message, close it, kill
 * it, hear its messages and its exit. The pool never sees which kind it drives.
 *
 * @internal
 */
import { fork } from "node:child_process"
import { extname } from "node:path"
import { Worker, type ResourceLimits, type Transferable } from "node:worker_threads"
import { describeCause } from "@effect-futures/core/internal/describeCause"
import * as Protocol from "./protocol.ts"

/**
 * The worker entry beside this module, with this module's own extension: `workerEntry.ts` when the package
 * runs from its sources, `workerEntry.js` when built, and, in an app bundled into one folder, the bundle's
 * own `workerEntry.js` next to it.
 */
export const defaultEntry: URL = new URL(`./workerEntry${extname(new URL(import.meta.url).pathname)}`, import.meta.url)

export interface WorkerEvents {
  readonly onMessage: (message: Protocol.FromWorker) => void
  /** The worker is gone, but what it sent is still being read: it must be given no more work. */
  readonly onExiting: () => void
  /** Called once, when the worker is gone; `error` is what killed it, if anything said. */
  readonly onExit: (description: string, error: unknown) => void
}

export interface WorkerHandle {
  /** The OS process id of a child; the thread id of a thread. */
  readonly id: number
  /** Sends a message; throws if the message cannot be cloned. */
  readonly post: (message: Protocol.ToWorker, transfer?: ReadonlyArray<Transferable>) => void
  /** Asks the worker to exit. */
  readonly close: () => void
  /**
   * Ends the worker now: SIGKILL (the default) or SIGTERM for a child (which may handle SIGTERM); a thread is
   * terminated either way.
   */
  readonly kill: (signal?: "SIGTERM" | "SIGKILL") => void
}

export type Spawn = (moduleHref: string, events: WorkerEvents) => WorkerHandle

export interface ThreadOptions {
  readonly entry: URL
  /** Each worker's `threadName`. */
  readonly name: string
  readonly resourceLimits?: ResourceLimits | undefined
  readonly execArgv?: ReadonlyArray<string> | undefined
  /** The worker does not keep the process alive. */
  readonly unref?: boolean | undefined
}

export const spawnThread =
  (options: ThreadOptions): Spawn =>
  (moduleHref, events) => {
    // [0] counts messages posted to the worker: an idle worker sleeps on it (Atomics.wait) for a moment after
    // each task, so the next one wakes it at once instead of through its event loop (as piscina does). [1] is
    // 1 while it sleeps: a busy worker needs no wake-up, and `Atomics.notify` is not free.
    const signal = new Int32Array(new SharedArrayBuffer(8))
    const wake = () => {
      Atomics.add(signal, 0, 1)
      if (Atomics.load(signal, 1) === 1) Atomics.notify(signal, 0)
    }
    const worker = new Worker(options.entry, {
      name: options.name,
      workerData: { module: moduleHref, signal },
      ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
      ...(options.execArgv === undefined ? {} : { execArgv: [...options.execArgv] })
    })
    let lastError: unknown = undefined
    worker.on("message", events.onMessage)
    worker.on("error", (error) => {
      lastError = error
    })
    // After the listeners: adding a "message" listener refs the worker's port again.
    if (options.unref === true) worker.unref()
    worker.on("exit", (code) => {
      events.onExit(
        lastError === undefined
          ? `the worker thread exited with code ${code}`
          : `the worker thread died: ${describeCause(lastError)}`,
        lastError ?? new Error(`the worker thread exited with code ${code}`)
      )
    })
    return {
      id: worker.threadId,
      post: (message, transfer) => {
        worker.postMessage(message, transfer as any)
        wake()
      },
      close: () => {
        worker.postMessage([Protocol.CLOSE])
        wake()
      },
      kill: () => {
        void worker.terminate()
      }
    }
  }

/** How long a dead child's IPC channel may take to deliver what is left in it. */
const channelDrainMillis = 1_000

export interface ChildOptions {
  readonly entry: URL
  /** Each child's process title (what `ps` shows). */
  readonly name: string
  readonly execArgv?: ReadonlyArray<string> | undefined
  /** The child and its IPC channel do not keep the process alive. */
  readonly unref?: boolean | undefined
}

export const spawnChild =
  (options: ChildOptions): Spawn =>
  (moduleHref, events) => {
    const child = fork(options.entry, [moduleHref, options.name], {
      serialization: "advanced",
      execArgv: options.execArgv === undefined ? [] : [...options.execArgv]
    })
    if (options.unref === true) {
      child.unref()
      // Node's channel has `unref`; Bun's has none (there, the channel may keep the process alive).
      ;(child.channel as { unref?: () => void } | null | undefined)?.unref?.()
    }
    let exited = false
    const exit = (description: string, error: unknown) => {
      if (exited) return
      exited = true
      events.onExit(description, error)
    }
    child.on("message", events.onMessage as (message: unknown) => void)
    child.on("exit", (code, signal) => {
      const description =
        signal !== null
          ? `the child process ${child.pid} was killed by ${signal}`
          : `the child process ${child.pid} exited with code ${code}`
      const gone = () => exit(description, new Error(description))
      if (!child.connected) return gone()
      events.onExiting()
      // Replies the child sent just before it died can still be in the channel, and "exit" may come before
      // them: they are all read before the channel's end ("disconnect"), so the pool waits for that.
      const timer = setTimeout(gone, channelDrainMillis)
      child.once("disconnect", () => {
        clearTimeout(timer)
        gone()
      })
    })
    child.on("error", (error) => {
      // A child that could not be spawned never emits "exit".
      if (child.pid === undefined) exit(`the child process could not start: ${describeCause(error)}`, error)
    })
    return {
      id: child.pid ?? -1,
      post: (message) => {
        child.send(message)
      },
      close: () => {
        if (child.connected) child.send([Protocol.CLOSE])
        else child.kill("SIGKILL")
      },
      kill: (signal = "SIGKILL") => {
        child.kill(signal)
      }
    }
  }
