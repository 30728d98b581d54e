/**
 * Follows `docs/start.md` literally, as a new user would, in a new folder outside the workspace: runs every
 * ```sh block in order (the first in the parent folder, the rest in the project its `mkdir` made), writes every
 * block whose info string names a file (```ts main.ts), and compares the output of the commands before a
 * ```text output block with it, then runs those commands again on Node 22 and compares again (unless their
 * block says `# Node 24 only`). Two things differ from a user's machine, both in `npm i` lines only: our packages come
 * from the packed tarballs (the registry's stand-in), and a package named without a version gets the version the
 * workspace pins (`pinnedVersions`), so the run does not depend on the registry's newest release.
 *
 * The programs run with a `PATH` of the Node under test and the system's own tools, not the workspace's
 * `node_modules/.bin`: `npx tsc` must find the project's own TypeScript, as it would for the user.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { type PackedPackage, pinnedVersions } from "../lib/pack.ts"

/** What the page asks for, in its order. */
export type PageStep =
  | { readonly _tag: "Commands"; readonly line: number; readonly script: string; readonly node24Only: boolean }
  | { readonly _tag: "File"; readonly line: number; readonly name: string; readonly content: string }
  | { readonly _tag: "Output"; readonly line: number; readonly text: string }

/** The page's fenced blocks as steps; blocks of other kinds (a `text` block without `output`) are prose. */
export const pageSteps = (markdown: string): ReadonlyArray<PageStep> => {
  const lines = markdown.split("\n")
  const steps: Array<PageStep> = []
  for (let index = 0; index < lines.length; index++) {
    const open = /^(`{3,})(\S*)\s*(.*)$/.exec(lines[index]!)
    if (open === null) continue
    const [, fence, language, rest] = open as unknown as [string, string, string, string]
    const line = index + 1
    const body: Array<string> = []
    for (index++; index < lines.length && lines[index] !== fence; index++) body.push(lines[index]!)
    const content = `${body.join("\n")}\n`
    if (language === "sh") {
      steps.push({ _tag: "Commands", line, script: content, node24Only: /^# Node 24 only\b/.test(body[0] ?? "") })
    } else if (language === "text" && rest.trim() === "output") {
      steps.push({ _tag: "Output", line, text: content.trim() })
    } else if (rest.trim() !== "") {
      steps.push({ _tag: "File", line, name: rest.trim(), content })
    }
  }
  return steps
}

/**
 * An `npm i` line with our packages replaced by their tarballs and the others pinned (with what they depend
 * on with a floating range); any other line unchanged.
 */
export const pinnedCommand = (command: string, packed: ReadonlyArray<PackedPackage>): string => {
  const install = /^(\s*npm\s+(?:i|install)\b)(.*)$/.exec(command)
  if (install === null) return command
  const words = install[2]!.trim().split(/\s+/)
  const flags = words.filter((word) => word.startsWith("-"))
  const names = words.filter((word) => !word.startsWith("-"))
  const tarballs = names.flatMap((name) => {
    if (!name.startsWith("@effect-futures/")) return []
    const tarball = packed.find((pkg) => pkg.name === name)?.tarball
    if (tarball === undefined) throw new Error(`the page installs ${name}, which is not a packed package`)
    return [tarball]
  })
  const others = names.filter((name) => !name.startsWith("@effect-futures/"))
  const versioned = others.filter((name) => name.lastIndexOf("@") > 0)
  const pins = pinnedVersions(others.filter((name) => name.lastIndexOf("@") <= 0))
  const pinned = [...pins].map(([name, version]) => `${name}@${version}`)
  return [
    install[1],
    ...flags,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    ...tarballs,
    ...versioned,
    ...pinned
  ].join(" ")
}

export interface Follow {
  readonly markdown: string
  /** A new, empty folder: the page's first commands run there. */
  readonly work: string
  readonly packed: ReadonlyArray<PackedPackage>
  /** The Node binaries to run the page on; the first also runs the install and check commands. */
  readonly nodes: ReadonlyArray<{ readonly label: string; readonly binary: string }>
  /** Reports a step as the package test does: runs `body`, records a failure. */
  readonly check: (label: string, body: () => string | void) => void
}

/** Follows the page; every command, file and output is one check, labelled with the page's line. */
export const followStartPage = ({ markdown, work, packed, nodes, check }: Follow): void => {
  const steps = pageSteps(markdown)
  const project = /\bmkdir\s+(\S+)/.exec(steps.find((step) => step._tag === "Commands")?.script ?? "")?.[1]
  if (project === undefined || nodes.length === 0) throw new Error("docs/start.md: no `mkdir` in its first commands")
  let cwd = work
  let last: { readonly output: string; readonly script: string; readonly node24Only: boolean } | undefined
  for (const step of steps) {
    const at = `docs/start.md:${step.line}`
    switch (step._tag) {
      case "File":
        check(`${at}: writing ${step.name}`, () => {
          mkdirSync(dirname(join(cwd, step.name)), { recursive: true })
          writeFileSync(join(cwd, step.name), step.content)
        })
        break
      case "Commands": {
        const script = step.script
          .split("\n")
          .map((command) => pinnedCommand(command, packed))
          .join("\n")
        const first = nodes[0]!
        check(`${at}: ${summary(step.script)} (${first.label})`, () => {
          const output = shell(script, cwd, first.binary)
          last = { output, script, node24Only: step.node24Only }
        })
        cwd = join(work, project)
        break
      }
      case "Output":
        for (const [index, { label, binary }] of nodes.entries()) {
          if (last === undefined || (index > 0 && last.node24Only)) continue
          const { script } = last
          const output = index === 0 ? last.output : undefined
          check(`${at}: the output shown, on ${label}`, () => {
            const printed = (output ?? shell(script, cwd, binary)).trim()
            if (printed !== step.text) throw new Error(`expected:\n${step.text}\nprinted:\n${printed}`)
          })
        }
        break
    }
  }
}

/** The block's commands on one line, for the check's label. */
const summary = (script: string): string =>
  script
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .join(" && ")

/** Runs a block with bash (stopping at the first failing command) on the given Node; returns its stdout. */
const shell = (script: string, cwd: string, node: string): string => {
  const systemPath = (process.env.PATH ?? "")
    .split(":")
    .filter((entry) => entry !== "" && !entry.includes("node_modules"))
    .join(":")
  const result = spawnSync("bash", ["-euo", "pipefail", "-c", script], {
    cwd,
    env: { ...process.env, PATH: `${dirname(node)}:${systemPath}`, NO_COLOR: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  if (result.status !== 0) {
    throw new Error(`exit ${result.status ?? result.signal} in ${cwd}:\n${script}\n${result.stdout}${result.stderr}`)
  }
  return result.stdout
}
