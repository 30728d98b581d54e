/**
 * Builds every published package and packs it as a user's registry would serve it: through pnpm, which
 * swaps in `publishConfig.exports` (the built `dist/*.js`) and turns `workspace:` ranges into versions.
 * Used by the packaging test and by the start-up benchmark, which both run what a user installs.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
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

/** The versions of each package the workspace's lockfile resolved (`pnpm-lock.yaml`), by name. */
const lockedVersions = (): ReadonlyMap<string, ReadonlySet<string>> => {
  const versions = new Map<string, Set<string>>()
  const lockfile = readFileSync(join(root, "pnpm-lock.yaml"), "utf8")
  for (const [, name, version] of lockfile.matchAll(/^ {2}'?((?:@[^/\s']+\/)?[^@\s'(]+)@(\d[^('\s:]*)/gm)) {
    const known = versions.get(name!) ?? new Set<string>()
    versions.set(name!, known.add(version!))
  }
  return versions
}

/** The manifest of the workspace's installed copy of `name@version` (from pnpm's store under `node_modules/.pnpm`). */
const installedManifest = (name: string, version: string): Record<string, Record<string, string> | undefined> => {
  const store = join(root, "node_modules", ".pnpm")
  const prefix = `${name.replace("/", "+")}@${version}`
  const entry = readdirSync(store).find((folder) => folder === prefix || folder.startsWith(`${prefix}_`))
  const manifest = entry === undefined ? undefined : join(store, entry, "node_modules", name, "package.json")
  if (manifest === undefined || !existsSync(manifest))
    throw new Error(`${name}@${version} is not installed in the workspace`)
  return JSON.parse(readFileSync(manifest, "utf8"))
}

/**
 * The exact versions to install for `names` (third-party packages a consumer names), taken from what the
 * workspace itself runs on, so a run never depends on the registry's newest release: each name at the exact
 * version a workspace manifest pins, and, one level down, what those depend on with a range that could float
 * (their own required peers and their `@effect/*` dependencies) at the version `pnpm-lock.yaml` resolved. The
 * second half is the fresh-machine failure of issue 16: `@effect/platform-node@4.1.0` depends on
 * `@effect/platform-node-shared@^4.1.0`, whose newest (4.1.5) wants `effect@^4.1.5`, so npm builds a tree with an
 * invalid `effect`. Throws for a name the workspace does not pin.
 */
export const pinnedVersions = (names: Iterable<string>): ReadonlyMap<string, string> => {
  const manifests = [root, ...publishedPackages().map(({ directory }) => directory)].map((directory) =>
    JSON.parse(readFileSync(join(directory, "package.json"), "utf8"))
  )
  const workspacePin = (name: string): string => {
    const pins = new Set(
      manifests.flatMap((manifest) =>
        [manifest.devDependencies?.[name], manifest.dependencies?.[name]].filter(
          (version): version is string => typeof version === "string" && /^\d/.test(version)
        )
      )
    )
    if (pins.size !== 1) {
      throw new Error(
        `expected one exact version of ${name} in the workspace's manifests, found ${[...pins].join(", ") || "none"}`
      )
    }
    return [...pins][0]!
  }
  const locked = lockedVersions()
  const lockedPin = (name: string): string => {
    const versions = [...(locked.get(name) ?? [])]
    if (versions.length !== 1) {
      throw new Error(`expected one locked version of ${name}, found ${versions.join(", ") || "none"}`)
    }
    return versions[0]!
  }
  const pins = new Map([...new Set(names)].map((name) => [name, workspacePin(name)]))
  for (const [name, version] of [...pins]) {
    const manifest = installedManifest(name, version)
    const optional = new Set(Object.keys(manifest.peerDependenciesMeta ?? {}))
    const floating = [
      ...Object.keys(manifest.peerDependencies ?? {}).filter((peer) => !optional.has(peer)),
      ...Object.keys(manifest.dependencies ?? {}).filter((dependency) => dependency.startsWith("@effect/"))
    ]
    for (const dependency of floating) if (!pins.has(dependency)) pins.set(dependency, lockedPin(dependency))
  }
  return pins
}

/**
 * What a consumer of the tarballs installs beside them (`name@version`, sorted): every peer of every tarball
 * that is not one of ours, and `extra` (tools the consumer's checks use), pinned by `pinnedVersions`.
 */
export const pinnedPeers = (
  packed: ReadonlyArray<PackedPackage>,
  extra: ReadonlyArray<string> = []
): ReadonlyArray<string> => {
  const ours = new Set(packed.map(({ name }) => name))
  const peers = packed.flatMap(({ directory }) =>
    Object.keys(JSON.parse(readFileSync(join(directory, "package.json"), "utf8")).peerDependencies ?? {})
  )
  const pins = pinnedVersions([...peers, ...extra].filter((name) => !ours.has(name)))
  return [...pins].map(([name, version]) => `${name}@${version}`).sort()
}

/** The versions of `names` installed in `project`'s `node_modules`, as `name@version` (or `name (none)`). */
export const installedVersions = (project: string, names: ReadonlyArray<string>): string =>
  names
    .map((name) => {
      const manifest = join(project, "node_modules", name, "package.json")
      return existsSync(manifest) ? `${name}@${JSON.parse(readFileSync(manifest, "utf8")).version}` : `${name} (none)`
    })
    .join(", ")
