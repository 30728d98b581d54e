/**
 * Finding the tasks of a task module: every export that is a `Task`, by its name. Used by the worker entry
 * (to serve them) and by the Layers (to check names before any worker starts).
 *
 * @internal
 */
import type { Task } from "@effect-futures/core"
import * as Effect from "effect/Effect"
import { pathToFileURL } from "node:url"
import { closestName } from "@effect-futures/core/internal/closestName"

const TaskTypeId = "~@effect-futures/core/Task"

const isTask = (u: unknown): u is Task.Any => typeof u === "object" && u !== null && TaskTypeId in u

/** The module's tasks by name, or the name that two different exports share. */
export const indexTasks = (
  module: Record<string, unknown>
): { readonly tasks: Map<string, Task.Any> } | { readonly duplicate: string; readonly exports: [string, string] } => {
  const tasks = new Map<string, Task.Any>()
  const exportNames = new Map<string, string>()
  for (const [exportName, value] of Object.entries(module)) {
    if (!isTask(value)) continue
    const existing = tasks.get(value.name)
    // The same task re-exported under a second name is fine; two tasks with one name are not.
    if (existing !== undefined && existing !== value) {
      return { duplicate: value.name, exports: [exportNames.get(value.name)!, exportName] }
    }
    tasks.set(value.name, value)
    exportNames.set(value.name, exportName)
  }
  return { tasks }
}

/** How many task names a message lists before it says how many more there are. */
const listedNames = 20

/**
 * What to tell a user whose task name `name` is not among a module's `names`: the closest name, if one is close
 * (a typo), and the names there are, so the mistake shows in the message. It follows a sentence
 * that says the name is missing: `… does not export a task named "spni" (did you mean "spin"?); its tasks are …`.
 */
export const unknownTaskHint = (name: string, names: Iterable<string>): string => {
  const sorted = [...names].sort()
  if (sorted.length === 0) return "; it exports no tasks (export the tasks made with Task.make or Task.fromFunction)"
  const closest = closestName(name, sorted)
  const listed = sorted.slice(0, listedNames).map((known) => `"${known}"`)
  if (sorted.length > listedNames) listed.push(`and ${sorted.length - listedNames} more`)
  return `${closest === undefined ? "" : ` (did you mean "${closest}"?)`}; its tasks are ${listed.join(", ")}`
}

/** A module given as a URL, a `file:` URL string or a path, as the URL string `import()` takes. */
export const moduleHref = (module: URL | string): string => {
  if (module instanceof URL) return module.href
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module
  return pathToFileURL(module).href
}

/**
 * Imports the task module at `href` and indexes its tasks, within `timeoutMillis`. A module that cannot be
 * imported, does not load in time, or exports two tasks with one name fails with `fail(message, cause)`: the
 * pools' and the cluster runner's `TaskModuleError`.
 */
export const loadTasks = <E>(
  href: string,
  timeoutMillis: number,
  fail: (message: string, cause?: unknown) => E
): Effect.Effect<ReadonlyMap<string, Task.Any>, E> =>
  Effect.tryPromise({
    try: () => import(href) as Promise<Record<string, unknown>>,
    catch: (cause) =>
      fail(`cannot import the task module ${href}: ${cause instanceof Error ? cause.message : String(cause)}`, cause)
  }).pipe(
    Effect.timeoutOrElse({
      duration: timeoutMillis,
      orElse: () => Effect.fail(fail(`the task module ${href} did not load within ${timeoutMillis} ms`))
    }),
    Effect.flatMap((module) => {
      const indexed = indexTasks(module)
      return "duplicate" in indexed
        ? Effect.fail(
            fail(
              `the task module ${href} exports two tasks named "${indexed.duplicate}" (${indexed.exports.join(" and ")})`
            )
          )
        : Effect.succeed(indexed.tasks)
    })
  )
