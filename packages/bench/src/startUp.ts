/**
 * Comparison 7, start-up: from nothing to the first 4 results of a pool of 4 workers, each contender in a
 * fresh process per round (loading the library is part of start-up). Ours (threads and processes) runs from
 * the installed packages (built, packed and installed with npm into a project outside the workspace, as a
 * user gets them) or from the sources; the peers are piscina, tinypool, workerpool and Python's
 * `ProcessPoolExecutor`. The parent times each process from its spawn to the line that reports its results;
 * the process reports how long its pool took, from its creation to the results.
 */
import { spawn } from "node:child_process"
import { copyFileSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { buildAndPack, installPacked, pinnedPeers } from "../../../scripts/lib/pack.ts"
import type { Contender, TableSpec } from "./harness.ts"
import { pythonMissing } from "./python.ts"

/** Where ours runs from: the packed and installed packages, or the workspace's sources. */
export type Source = "installed" | "sources"

const startUpFiles = fileURLToPath(new URL("./startUp/", import.meta.url))
const benchDirectory = fileURLToPath(new URL("../", import.meta.url))

/** What a round reports: the process's time to its results, or its pool's. */
type Clock = "process" | "pool"

/**
 * Builds and packs the packages (`scripts/lib/pack.ts`), installs the tarballs and their pinned peers with npm into a
 * new project under the system's temp folder, and copies ours' program and task module there. Once per run;
 * the project is removed when the bench exits.
 */
const installed: () => Promise<string> = (() => {
  let project: Promise<string> | undefined = undefined
  return () =>
    (project ??= Promise.resolve().then(() => {
      const work = mkdtempSync(join(tmpdir(), "effect-futures-start-up-"))
      process.once("exit", () => rmSync(work, { recursive: true, force: true }))
      const packed = buildAndPack(join(work, "tarballs"))
      const app = join(work, "app")
      installPacked(app, packed, pinnedPeers(packed))
      for (const file of ["ours.mjs", "tasks.mjs", "tasksByIndex.mjs"])
        copyFileSync(join(startUpFiles, file), join(app, file))
      return app
    }))
})()

/** The environment of every round: no compile cache setting of the caller's, so runs compare. */
const baseEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  delete env.NODE_COMPILE_CACHE
  delete env.NODE_DISABLE_COMPILE_CACHE
  delete env.NODE_OPTIONS
  return env
}

/** Runs a command to its exit; resolves with its first line of output and the seconds from spawn to that line. */
const firstLine = (
  command: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: NodeJS.ProcessEnv
): Promise<{ readonly line: string; readonly seconds: number }> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "inherit"] })
    let output = ""
    let seconds: number | undefined = undefined
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      output += chunk
      if (seconds === undefined && output.includes("\n")) seconds = (performance.now() - started) / 1000
    })
    child.on("error", reject)
    // The next round starts after this process has exited: its workers must not take its cores.
    child.on("exit", (code) => {
      if (seconds === undefined) reject(new Error(`${command} ${args.join(" ")} exited (${code}) without a result`))
      else resolve({ line: output.slice(0, output.indexOf("\n")), seconds })
    })
  })

const processContender = (
  name: string,
  clock: Clock,
  launch: () => Promise<{
    readonly command: string
    readonly args: ReadonlyArray<string>
    readonly cwd: string
    readonly env?: NodeJS.ProcessEnv
  }>,
  skip?: string
): Contender => ({
  name,
  skip,
  start: async () => {
    const { command, args, cwd, env } = await launch()
    return {
      round: async () => {
        const { line, seconds } = await firstLine(command, args, cwd, env ?? baseEnv())
        return { seconds: clock === "process" ? seconds : (JSON.parse(line) as { pool: number }).pool }
      },
      close: async () => {}
    }
  }
})

export interface StartUpOptions {
  readonly source: Source
}

export const startUp = (options: StartUpOptions): ReadonlyArray<TableSpec> => {
  const from = options.source === "installed" ? "installed" : "sources"
  const oursDirectory = options.source === "installed" ? installed : async () => startUpFiles
  const node = process.execPath
  const ours = (name: string, args: ReadonlyArray<string>, clock: Clock, env?: NodeJS.ProcessEnv) =>
    processContender(`ours: ${name} (${from})`, clock, async () => ({
      command: node,
      args: ["ours.mjs", ...args],
      cwd: await oursDirectory(),
      ...(env === undefined ? {} : { env })
    }))
  const contenders = (clock: Clock): ReadonlyArray<Contender> => [
    ours("threads", ["threads"], clock),
    ours("processes", ["processes"], clock),
    ours("threads, effect and ours imported by index", ["threads", "indexes"], clock),
    ours("processes, effect and ours imported by index", ["processes", "indexes"], clock),
    ours("threads, no compile cache", ["threads"], clock, { ...baseEnv(), NODE_DISABLE_COMPILE_CACHE: "1" }),
    // The same program up to its imports: what loading effect and ours costs before any pool starts.
    ...(clock === "process" ? [ours("the program's imports alone, no pool", ["imports"], clock)] : []),
    ...(
      [
        ["piscina", "piscina"],
        ["tinypool", "tinypool"],
        ["tinypool (child_process)", "tinypool-process"],
        ["workerpool", "workerpool"],
        ["workerpool (process)", "workerpool-process"]
      ] as const
    ).map(([name, peer]) =>
      processContender(name, clock, async () => ({ command: node, args: ["peers.mjs", peer], cwd: startUpFiles }))
    ),
    processContender(
      "Python ProcessPoolExecutor",
      clock,
      async () => ({ command: "python3", args: ["python/start_up.py"], cwd: benchDirectory }),
      pythonMissing
    )
  ]
  return [
    {
      title: "From nothing: a new process to the first 4 results of 4 workers",
      operations: 1,
      unit: "start",
      baseline: "piscina",
      contenders: contenders("process"),
      rounds: 9
    },
    {
      title: "The pool alone: from its creation (the library loaded) to the first 4 results of 4 workers",
      operations: 1,
      unit: "start",
      baseline: "piscina",
      contenders: contenders("pool"),
      rounds: 9
    }
  ]
}
