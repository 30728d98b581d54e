/**
 * The file every pool worker starts with, as a `worker_threads` worker or a `child_process.fork` child. It
 * turns on Node's compile cache, then loads the worker itself (`worker.ts`), so that effect's modules, the
 * task module and ours are all compiled with it. Users write no worker file of their own.
 *
 * Runs under plain Node 24 (type stripping): erasable TypeScript with `.ts` imports only.
 *
 * @internal
 */
import * as NodeModule from "node:module"

// Most of a worker's start-up is compiling modules (effect's, the task module's, ours): with V8's code
// cache on disk a worker loads them in about three quarters of the time. Node's own defaults: the directory
// is NODE_COMPILE_CACHE if set, else `os.tmpdir()/node-compile-cache`; NODE_DISABLE_COMPILE_CACHE=1 turns it
// off; a directory that cannot be written only means no cache (this never throws). A runtime without it
// (Node before 22.1, or another runtime's `node:module`) just starts slower.
NodeModule.enableCompileCache?.()

// A dynamic import: a static one would be compiled before the line above runs.
await import("./worker.ts")
