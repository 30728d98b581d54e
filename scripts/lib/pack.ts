/**
 * Builds every published package and packs it as a user's registry would serve it: through pnpm, which
 * swaps in `publishConfig.exports` (the built `dist/*.js`) and turns `workspace:` ranges into versions.
 * Used by the packaging test and by the start-up benchmark, which both run what a user installs.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { root } from "./publicModules.ts"

export interface PackedPackage {
  readonly name: string
  readonly directory: string
  readonly tarball: string
}

/** `node_modules/.bin` first, so the repo's own pnpm, tsc and Node 24 run whatever started this script. */
export const toolEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`
})

/** Runs a command and throws with its output if it fails. */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly quiet?: boolean }
): string => {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? toolEnv(),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`
  if (result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(" ")}\` in ${options.cwd} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`
    )
  }
  return output
}

/** The workspace packages that are published: every `packages/*` that is not private. */
export const publishedPackages = (): ReadonlyArray<{ readonly name: string; readonly directory: string }> =>
  readdirSync(join(root, "packages"))
    .map((entry) => join(root, "packages", entry))
    .flatMap((directory) => {
      try {
        const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8"))
        return manifest.private === true ? [] : [{ name: manifest.name as string, directory }]
      } catch {
        return []
      }
    })

/** `pnpm build`, then one tarball per published package in `destination` (emptied first). */
export const buildAndPack = (destination: string): ReadonlyArray<PackedPackage> => {
  run("pnpm", ["run", "--if-present", "build"], { cwd: root })
  rmSync(destination, { recursive: true, force: true })
  mkdirSync(destination, { recursive: true })
  return publishedPackages().map(({ directory, name }) => {
    const before = new Set(readdirSync(destination))
    run("pnpm", ["pack", "--pack-destination", destination], { cwd: directory })
    const tarball = readdirSync(destination).find((file) => !before.has(file) && file.endsWith(".tgz"))
    if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball for ${name}`)
    return { name, directory, tarball: join(destination, tarball) }
  })
}

/**
 * Makes `project` a user's project (a private ES module package) and installs the tarballs there with npm,
 * as a user of the registry would, with `more` (say `effect@4.1.0`) beside them.
 */
export const installPacked = (
  project: string,
  packed: ReadonlyArray<PackedPackage>,
  more: ReadonlyArray<string>
): void => {
  mkdirSync(project, { recursive: true })
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "effect-futures-user", private: true, type: "module" }, null, 2)
  )
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error", ...packed.map(({ tarball }) => tarball), ...more],
    { cwd: project }
  )
}
