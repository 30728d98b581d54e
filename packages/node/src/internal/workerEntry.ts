/**
 * The file every pool worker starts with, as a `worker_threads` worker or a `child_process.fork` child. It
 * makes module loading cheaper (Node's compile cache, and effect's own imports resolved without the file
 * system), then loads the worker itself (`worker.ts`), so that effect's modules, the task module and ours
 * all load that way. Users write no worker file of their own.
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

/** The URL of effect's `dist/` folder as this package sees it; undefined where there is none (a bundle). */
const effectModules = ((): string | undefined => {
  try {
    return new URL(".", import.meta.resolve("effect/Effect")).href
  } catch {
    return undefined
  }
})()

// The rest is mostly resolving imports: the ~140 modules of `effect/Effect` and `effect/Schema` (what any task
// module needs) import each other ~850 times by relative path, and Node checks each one on disk (stat,
// realpath, the package scope of its folder), a fresh thread with empty caches: ~25 ms of a worker's ~75 ms
// load here. Inside effect's own `dist/` such a path names a file of the same ES module package, so its URL
// is all there is to resolve. Every other import (the task module's, ours, effect's from outside) goes to Node.
if (effectModules !== undefined) {
  NodeModule.registerHooks?.({
    resolve: (specifier, context, nextResolve) =>
      context.parentURL?.startsWith(effectModules) === true &&
      (specifier.startsWith("./") || specifier.startsWith("../")) &&
      specifier.endsWith(".js")
        ? { url: new URL(specifier, context.parentURL).href, format: "module", shortCircuit: true }
        : nextResolve(specifier, context)
  })
}

// A dynamic import: a static one would be loaded before the lines above run.
await import("./worker.ts")
