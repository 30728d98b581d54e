/**
 * The packaging test: does what a user does, and fails where a user would.
 *
 * 1. builds and packs every published package through pnpm (`scripts/lib/pack.ts`);
 * 2. lints each tarball with `publint --strict` and `attw --profile esm-only`;
 * 3. installs the tarballs and `effect` with npm into a fresh project outside the workspace, and checks
 *    that the project has exactly one copy of `effect`;
 * 4. type-checks the consumer (`scripts/package-test/consumer`) with `skipLibCheck: false` and no DOM lib;
 * 5. runs it on Node 24 and on Node 22 (the npm `node@22` package, installed by this script into a cache
 *    under the system's temp folder): `layerFiber`, `layerWorkerThreads` and `layerChildProcesses`, with a
 *    `.mjs` and a `.ts` task module;
 *    and on Bun where the npm `bun` package installs (skipped with a notice where it does not);
 * 6. bundles it with esbuild (the app, both task modules and `@effect-futures/node/workerEntry` as entries)
 *    and runs the bundle from a folder with no `node_modules`.
 *
 * Usage: `node scripts/package-test.ts [--keep]` (Node 24; `pnpm test` runs it). `--keep` leaves the temp
 * project for a look. Needs the npm registry (for `effect`, `@types/node`, `node@22` and `bun`).
 */
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buildAndPack, run, toolEnv } from "./lib/pack.ts"
import { root } from "./lib/publicModules.ts"

/** The Node 22 the test runs on: 22.18 is the first that strips types without a flag. */
const node22Version = "22.23.3"
/** The Bun the test runs on, from the npm `bun` package (its binary comes as an optional dependency). */
const bunVersion = "1.4.5"
const consumerSources = join(root, "scripts", "package-test", "consumer")
const keep = process.argv.includes("--keep")

const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const pinned = (name: string): string => {
  const manifest = JSON.parse(readFileSync(join(root, "packages", "core", "package.json"), "utf8"))
  return manifest.devDependencies?.[name] ?? rootManifest.devDependencies[name]
}

const started = performance.now()
const step = (label: string): void => {
  console.log(`package-test: ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
}

const work = mkdtempSync(join(tmpdir(), "effect-futures-package-test-"))
try {
  step("building and packing")
  const packed = buildAndPack(join(work, "tarballs"))

  step(`linting ${packed.length} tarballs (publint --strict, attw --profile esm-only)`)
  for (const { tarball } of packed) {
    run("publint", ["run", tarball, "--strict"], { cwd: work })
    run("attw", [tarball, "--profile", "esm-only", "--no-color", "--no-emoji"], { cwd: work })
  }

  step("installing the tarballs and effect into a new project")
  const app = join(work, "app")
  cpSync(consumerSources, app, { recursive: true })
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "effect-futures-consumer", private: true, type: "module" }, null, 2)
  )
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...packed.map(({ tarball }) => tarball),
      `effect@${pinned("effect")}`,
      `@types/node@${pinned("@types/node")}`
    ],
    { cwd: app }
  )

  step("checking that the project has one copy of effect")
  const copies = findPackages(join(app, "node_modules"), "effect")
  if (copies.length !== 1) {
    throw new Error(`expected one copy of effect in the consumer, found ${copies.length}:\n${copies.join("\n")}`)
  }

  step("type-checking the consumer (skipLibCheck: false, no DOM)")
  typeCheck(app)

  step("running the consumer on Node 24")
  console.log(`  ${run("node", ["app.ts"], { cwd: app }).trim()}`)

  step(`running the consumer on Node ${node22Version}`)
  const node22 = installNode22()
  console.log(`  ${run(node22, ["app.ts"], { cwd: app }).trim()}`)

  const bun = installBun()
  if (bun === undefined) {
    step(`NOTICE: skipping Bun: bun@${bunVersion} could not be installed from the npm registry here`)
  } else {
    step(`running the consumer on Bun ${bunVersion}`)
    console.log(`  ${run(bun, ["app.ts"], { cwd: app }).trim()}`)
  }

  step("bundling the consumer with esbuild and running it with no node_modules")
  const bundle = join(work, "bundle")
  run(
    "esbuild",
    [
      "app.ts",
      "square.tasks.mjs",
      "measure.tasks.ts",
      "workerEntry=@effect-futures/node/workerEntry",
      "--bundle",
      "--splitting",
      "--format=esm",
      "--platform=node",
      "--target=node22",
      "--log-level=warning",
      `--outdir=${bundle}`
    ],
    { cwd: app }
  )
  if (findPackages(bundle, "effect").length > 0 || existsSync(join(bundle, "node_modules"))) {
    throw new Error("the bundle folder has a node_modules")
  }
  console.log(`  ${run("node", [join(bundle, "app.js")], { cwd: bundle }).trim()}`)
  console.log(`  ${run(node22, [join(bundle, "app.js")], { cwd: bundle }).trim()}`)

  step("passed")
} finally {
  if (keep) console.log(`package-test: kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}

/**
 * `tsc` over the consumer with `skipLibCheck: false` and no DOM lib. effect 4.1's own `crypto` declarations
 * (which `effect/Schema`'s declarations import) name the DOM's `CryptoKey` and `JsonWebKey`, so they fail
 * there whatever a project uses; those errors are effect's and are only counted. Any other error fails.
 */
function typeCheck(app: string): void {
  const result = spawnSync("tsc", ["-p", join(app, "tsconfig.json")], { cwd: app, env: toolEnv(), encoding: "utf8" })
  const errors = `${result.stdout}${result.stderr}`.split("\n").filter((line) => /error TS\d+/.test(line))
  const upstream = errors.filter((line) => line.startsWith("node_modules/effect/dist/crypto/"))
  const ours = errors.filter((line) => !upstream.includes(line))
  if (ours.length > 0 || (result.status !== 0 && errors.length === 0)) {
    throw new Error(`the consumer does not type-check:\n${ours.join("\n") || result.stdout + result.stderr}`)
  }
  if (upstream.length > 0) {
    console.log(`  (${upstream.length} errors in effect's own crypto declarations, which need the DOM lib: not ours)`)
  }
}

/** The folders of every installed copy of package `name` under `directory`, however deep. */
function findPackages(directory: string, name: string): Array<string> {
  if (!existsSync(directory)) return []
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`) || path === name)
    .map((path) => join(directory, path))
    .filter((path) => statSync(path).isDirectory() && existsSync(join(path, "package.json")))
    .filter((path) => JSON.parse(readFileSync(join(path, "package.json"), "utf8")).name === name)
}

/** The npm `node@22` package's binary, installed once into a cache folder. */
function installNode22(): string {
  const cache = join(tmpdir(), `effect-futures-node-${node22Version}`)
  const binary = join(cache, "node_modules", "node", "bin", "node")
  if (!existsSync(binary)) {
    rmSync(cache, { recursive: true, force: true })
    run("npm", ["install", "--prefix", cache, "--no-audit", "--no-fund", "--loglevel=error", `node@${node22Version}`], {
      cwd: root,
      env: toolEnv()
    })
  }
  const version = run(binary, ["--version"], { cwd: root }).trim()
  if (version !== `v${node22Version}`) throw new Error(`expected Node ${node22Version}, got ${version}`)
  return binary
}

/** The npm `bun` package's binary, installed once into a cache folder; undefined where it cannot be. */
function installBun(): string | undefined {
  const cache = join(tmpdir(), `effect-futures-bun-${bunVersion}`)
  const binary = join(cache, "node_modules", ".bin", "bun")
  try {
    if (!existsSync(binary)) {
      rmSync(cache, { recursive: true, force: true })
      run("npm", ["install", "--prefix", cache, "--no-audit", "--no-fund", "--loglevel=error", `bun@${bunVersion}`], {
        cwd: root
      })
    }
    return run(binary, ["--version"], { cwd: root }).trim() === bunVersion ? binary : undefined
  } catch (error) {
    console.log(`  ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`)
    return undefined
  }
}
