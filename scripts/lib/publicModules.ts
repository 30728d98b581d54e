import { readdirSync } from "node:fs"
import { join, relative } from "node:path"

export const root = join(import.meta.dirname, "..", "..")

/** The packages whose public modules are documented, in the order of the reference. */
export const documentedPackages = ["core", "node", "testing", "cluster"] as const

export type DocumentedPackage = (typeof documentedPackages)[number]

/**
 * The packages whose JSDoc `@example`s and README are type-checked: the documented ones, and
 * `@effect-futures/promise`, whose flat exports of classes (what its users import) are documented by its README
 * rather than by a reference of namespaces.
 */
export const exampleCheckedPackages = [...documentedPackages, "promise"] as const

/** Every public module file of a package: `src/**\/*.ts` except `internal/`, sorted. */
export const publicModules = (pkg: (typeof exampleCheckedPackages)[number]): Array<string> => {
  const walk = (dir: string): Array<string> =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return entry.name === "internal" ? [] : walk(path)
      return entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : []
    })
  return walk(join(root, "packages", pkg, "src")).sort()
}

/** A path relative to the repository root, with `/` separators. */
export const repoPath = (path: string): string => relative(root, path).split("\\").join("/")
