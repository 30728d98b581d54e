/**
 * The packaging test: does what a user does, and fails where a user would.
 *
 * 1. builds and packs every published package through pnpm (`scripts/lib/pack.ts`);
 * 2. lints each tarball with `publint --strict` and `attw --profile esm-only`;
 * 3. installs the tarballs with npm into a fresh project outside the workspace, beside every peer pinned to
 *    the workspace's own versions (`pinnedPeers`), prints the versions installed, and checks that npm calls
 *    the tree valid (`npm ls --all`) and that it holds exactly one copy of `effect`;
 * 4. type-checks the consumer (`scripts/package-test/consumer`) with `skipLibCheck: false` and no DOM lib;
 * 5. runs it on Node 24 and on Node 22 (the npm `node@22` package, installed by this script into a cache
 *    under the system's temp folder): `layerFiber`, `layerWorkerThreads` and `layerChildProcesses`, with a
 *    `.mjs` and a `.ts` task module; and the plain-JavaScript consumer (`plain.mjs`, no Effect import) on the
 *    three Promise executors of `@effect-futures/promise`;
 *    and on Bun where the npm `bun` package installs (skipped with a notice where it does not);
 *    then runs the consumer's tests of `@effect-futures/testing` with vitest (`testing.test.ts`, Node 24);
 * 6. bundles it with esbuild (the app, both task modules and `@effect-futures/node/workerEntry` as entries)
 *    and runs the bundle from a folder with no `node_modules`;
 * 7. follows `docs/start.md` literally in a new folder (`scripts/package-test/startPage.ts`): its commands, its
 *    files, `tsc --noEmit`, and its programs on Node 24 and 22, whose output must be what the page shows;
 * 8. installs the tarballs again, in a second project, with the newest `effect` and `@effect/platform-node`
 *    (`npm i` with no versions, as a new user does), and type-checks and runs the consumer, the plain-JS
 *    consumer and the cluster consumer there on Node 24 (skipped with a notice where the registry cannot be
 *    reached).
 *
 * Usage: `node scripts/package-test.ts [--keep]` (Node 24; `pnpm test` runs it). `--keep` leaves the temp
 * project for a look. Needs the npm registry (for the peers, `node@22` and `bun`).
 */
import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import {
  buildAndPack,
  installedVersions,
  installPacked,
  type PackedPackage,
  pinnedPeers,
  run,
  toolEnv
} from "./lib/pack.ts"
import { root } from "./lib/publicModules.ts"
import { followStartPage } from "./package-test/startPage.ts"

/** The oldest Node the packages support (`engines`): the first 22 that strips types without a flag. */
const node22Version = "22.18.0"
/** The Bun the test runs on, from the npm `bun` package (its binary comes as an optional dependency). */
const bunVersion = "1.4.5"
const consumerSources = join(root, "scripts", "package-test", "consumer")
const keep = process.argv.includes("--keep")

/** The packages whose installed versions each run prints: what decides whether a user's tree resolves. */
const reported = [
  "effect",
  "@effect/platform-node",
  "@effect/platform-node-shared",
  "@effect/sql-pg",
  "vitest",
  "fast-check",
  "@types/node"
]

const started = performance.now()
const failures: Array<string> = []

/**
 * Runs one check and reports it; a failing check is recorded and the others still run, so one run shows
 * everything a user would trip over. `required` checks (those the rest depend on) stop the test instead.
 */
const check = (label: string, body: () => string | void, required = false): void => {
  console.log(`package-test: ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  try {
    const output = body()
    if (typeof output === "string" && output.trim() !== "") console.log(`  ${output.trim().split("\n").join("\n  ")}`)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.log(`  FAILED: ${message.split("\n").slice(0, 12).join("\n  ")}`)
    failures.push(label)
    if (required) throw new Error(`package-test: cannot go on after "${label}" failed`)
  }
}

const work = mkdtempSync(join(tmpdir(), "effect-futures-package-test-"))
try {
  let packed: ReadonlyArray<PackedPackage> = []
  check("building and packing", () => void (packed = buildAndPack(join(work, "tarballs"))), true)

  for (const { name, tarball } of packed) {
    check(`what the tarball of ${name} holds`, () => tarballContents(tarball))
    check(`publint --strict ${name}`, () => void run("publint", ["run", tarball, "--strict"], { cwd: work }))
    check(
      `attw --profile esm-only ${name}`,
      () => void run("attw", [tarball, "--profile", "esm-only", "--no-color", "--no-emoji"], { cwd: work })
    )
  }

  const app = join(work, "app")
  check(
    "installing the tarballs and every peer, pinned to the workspace's versions, into a new project with npm",
    () => {
      cpSync(consumerSources, app, { recursive: true })
      const pins = pinnedPeers(packed, ["@types/node"])
      installPacked(app, packed, pins)
      return `pinned: ${pins.join(" ")}\ninstalled: ${installedVersions(app, reported)}`
    },
    true
  )
  check("the installed tree is valid (npm ls --all) with one copy of effect", () => validTree(app))

  check("type-checking the consumer (skipLibCheck: false, no DOM)", () => typeCheck(app))

  check("running the consumer on Node 24", () => run("node", ["app.ts"], { cwd: app }))

  let node22 = ""
  check(`installing Node ${node22Version} (npm node@22)`, () => void (node22 = installNode22()), true)
  check(`running the consumer on Node ${node22Version}`, () => run(node22, ["app.ts"], { cwd: app }))
  check("running the plain-JavaScript consumer (no Effect import) on Node 24", () =>
    run("node", ["plain.mjs"], { cwd: app })
  )
  check(`running the plain-JavaScript consumer on Node ${node22Version}`, () =>
    run(node22, ["plain.mjs"], { cwd: app })
  )
  check("running the cluster consumer on Node 24", () => run("node", ["cluster.ts"], { cwd: app }))
  check(`running the cluster consumer on Node ${node22Version}`, () => run(node22, ["cluster.ts"], { cwd: app }))

  const bun = installBun()
  if (bun === undefined) {
    console.log(`package-test: NOTICE: skipping Bun: bun@${bunVersion} could not be installed from the npm registry`)
  } else {
    check(`running the consumer on Bun ${bunVersion}`, () => run(bun, ["app.ts"], { cwd: app }))
    check(`running the plain-JavaScript consumer on Bun ${bunVersion}`, () => run(bun, ["plain.mjs"], { cwd: app }))
  }

  check("running the consumer's tests of @effect-futures/testing with vitest on Node 24", () =>
    run("node", [join(app, "node_modules", "vitest", "vitest.mjs"), "run", "testing.test.ts"], {
      cwd: app,
      env: { ...toolEnv(), NO_COLOR: "1" }
    })
      .split("\n")
      .filter((line) => /Test Files|Tests /.test(line))
      .join("\n")
  )

  const bundle = join(work, "bundle")
  check("bundling the consumer with esbuild (app, task modules and the worker entry as entries)", () => {
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
    if (existsSync(join(bundle, "node_modules"))) throw new Error("the bundle folder has a node_modules")
  })
  check("running the bundle on Node 24, from a folder with no node_modules", () =>
    run("node", [join(bundle, "app.js")], { cwd: bundle })
  )
  check(`running the bundle on Node ${node22Version}`, () => run(node22, [join(bundle, "app.js")], { cwd: bundle }))

  const start = join(work, "start")
  mkdirSync(start)
  followStartPage({
    markdown: readFileSync(join(root, "docs", "start.md"), "utf8"),
    work: start,
    packed,
    nodes: [
      { label: "Node 24", binary: process.execPath },
      { label: `Node ${node22Version}`, binary: node22 }
    ],
    check
  })

  newestReleases(packed)
} catch (error) {
  console.log(error instanceof Error ? error.message : String(error))
} finally {
  if (keep) console.log(`package-test: kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}

if (failures.length > 0) {
  console.log(`package-test: FAILED: ${failures.join("; ")}`)
  process.exitCode = 1
} else {
  console.log(`package-test: passed (${((performance.now() - started) / 1000).toFixed(1)} s)`)
}

/**
 * `tsc` over the consumer with `skipLibCheck: false` and no DOM lib. effect 4.1's own `crypto` declarations
 * (which `effect/Schema`'s declarations import) name the DOM's `CryptoKey` and `JsonWebKey`, and its `rpc`
 * declarations (which `effect/cluster`'s import) the DOM's `Transferable`, so they fail there whatever a
 * project uses; those errors are effect's and are only counted. Any other error fails.
 */
function typeCheck(app: string): string {
  const result = spawnSync("tsc", ["-p", join(app, "tsconfig.json")], { cwd: app, env: toolEnv(), encoding: "utf8" })
  const errors = `${result.stdout}${result.stderr}`.split("\n").filter((line) => /error TS\d+/.test(line))
  const upstream = errors.filter((line) => /^node_modules\/effect\/dist\/(crypto|rpc)\//.test(line))
  const ours = errors.filter((line) => !upstream.includes(line))
  if (ours.length > 0 || (result.status !== 0 && errors.length === 0)) {
    throw new Error(`the consumer does not type-check:\n${ours.join("\n") || result.stdout + result.stderr}`)
  }
  return upstream.length === 0
    ? ""
    : `(${upstream.length} errors in effect's own crypto declarations, which need the DOM lib: not ours)`
}

/**
 * The second consumer run: the tarballs with the newest `effect` and `@effect/platform-node` a new user gets
 * today (`npm i` with no versions), on Node 24. The workspace pins what it develops on; this run is what tells
 * us a newer effect breaks a package before a user does. Skipped with a notice where the registry cannot be
 * reached, never failed for that.
 */
function newestReleases(packed: ReadonlyArray<PackedPackage>): void {
  try {
    run("npm", ["view", "effect", "version"], { cwd: root })
  } catch (error) {
    const reason =
      error instanceof Error ? (error.message.split("\n").find((line) => /npm error/.test(line)) ?? "") : ""
    console.log(`package-test: NOTICE: skipping the newest releases: the npm registry cannot be reached ${reason}`)
    return
  }
  const app = join(work, "app-newest")
  check(
    "installing the tarballs with the newest effect and @effect/platform-node (no versions) into a new project",
    () => {
      cpSync(consumerSources, app, { recursive: true })
      // @types/node stays pinned: the newest is for a newer Node than the one that runs the consumer.
      const pins = pinnedPeers(packed, ["@types/node"]).filter((pin) => pin.startsWith("@types/node@"))
      installPacked(app, packed, ["effect", "@effect/platform-node", ...pins])
      return `installed: ${installedVersions(app, reported)}`
    },
    true
  )
  check("the newest releases' tree is valid (npm ls --all) with one copy of effect", () => validTree(app))
  check("type-checking the consumer against the newest releases", () => typeCheck(app))
  check("running the consumer on Node 24 with the newest releases", () => run("node", ["app.ts"], { cwd: app }))
  check("running the plain-JavaScript consumer on Node 24 with the newest releases", () =>
    run("node", ["plain.mjs"], { cwd: app })
  )
  check("running the cluster consumer on Node 24 with the newest releases", () =>
    run("node", ["cluster.ts"], { cwd: app })
  )
}

/**
 * npm can build a tree it calls invalid and only warn ("overriding peer dependency"): a peer range that the
 * installed version does not meet. `npm ls --all` fails on exactly that, so a user's tree is checked as npm
 * itself would judge it; and the project must hold one `effect`, or a user's Layers and errors would not be
 * the ones the executors see.
 */
function validTree(app: string): void {
  run("npm", ["ls", "--all"], { cwd: app })
  const copies = findPackages(join(app, "node_modules"), "effect")
  if (copies.length !== 1) {
    throw new Error(`expected one copy of effect in the consumer, found ${copies.length}:\n${copies.join("\n")}`)
  }
}

/** A tarball has its README, LICENSE, built code, types and maps, and no tests or configs. */
function tarballContents(tarball: string): string {
  const files = run("tar", ["tzf", tarball], { cwd: dirname(tarball) })
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""))
  const required = ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "dist/index.js.map"]
  const missing = required.filter((file) => !files.includes(file))
  const unwanted = files.filter((file) => /(^|\/)(test|tests)\/|tsconfig|vitest|\.test\.|\.tsbuildinfo$/.test(file))
  if (missing.length > 0 || unwanted.length > 0) {
    throw new Error(`missing: ${missing.join(", ") || "nothing"}; unwanted: ${unwanted.join(", ") || "nothing"}`)
  }
  return `${files.length} files`
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
