/**
 * Type-checks the code of the docs: every `@example` in the JSDoc of the public modules of
 * `@effect-futures/core` and `@effect-futures/node`, and every ```ts block of `README.md`, the packages'
 * `README.md`s (what npm shows) and `docs/*.md`.
 *
 * Each example or block becomes its own module in `.docs-examples/` (git-ignored), which imports the
 * packages by name, as a user would; then one `tsc` run checks them all. A failure is reported at the line
 * of the source file (the `.ts` module or the Markdown file) it comes from.
 *
 * In Markdown, a ```ts block is checked as a module of its own, read after hidden code:
 * - the file's preambles: an HTML comment that starts with `<!-- preamble` holds code, up to a line that is
 *   only `-->`, that is put before every ```ts block after it in the file. Use it for the imports and the
 *   `declare const orderIds: ReadonlyArray<string>` that the prose takes for granted.
 * - the imports of the ```ts blocks above it in the file, as a reader assumes (show them once at the top).
 * A name that the block imports or declares itself wins over a hidden import of that name.
 * - `<!-- fragment -->` (or `<!-- fragment: why -->`) just before a block marks it as a fragment: shown, not
 *   checked. Keep them rare; prefer a preamble.
 * Blocks may import `./primes.tasks.ts`: the task module of the API contract (`countPrimes`,
 * `PrimeLimitError`), which the examples in JSDoc import too; and `./fibonacci.tasks.ts`, a task module written
 * without Effect (`defineTask`), for the examples of `@effect-futures/promise`.
 *
 * Usage: `node scripts/docs-examples.ts` (Node 24; `pnpm docs:check` runs it).
 */
import { spawnSync } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { dirname, join } from "node:path"
import { jsDocExamples } from "./docs-tools/jsdocExamples.ts"
import { markdownBlocks } from "./lib/markdownBlocks.ts"
import { exampleCheckedPackages, publicModules, repoPath, root } from "./lib/publicModules.ts"

const outDir = join(root, ".docs-examples")

/**
 * Task modules that examples import as a user's own file would (`import { countPrimes } from
 * "./primes.tasks.ts"`): the one of the API contract, so examples can stay short.
 */
const fixtures: Record<string, string> = {
  "primes.tasks.ts": `// The task module of the API contract (../shared/design/API.md), imported by the examples.
import { Effect, Schema } from "effect"
import { Task } from "@effect-futures/core"

export class PrimeLimitError extends Schema.TaggedError<PrimeLimitError>()("PrimeLimitError", {
  limit: Schema.Number
}) {}

const count = (limit: number): number => {
  let primes = 0
  for (let n = 2; n <= limit; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false
    if (prime) primes++
  }
  return primes
}

export const countPrimes = Task.make("countPrimes", {
  payload: Schema.Number,
  success: Schema.Number,
  failure: PrimeLimitError,
  run: (limit) => (limit < 0 ? Effect.fail(new PrimeLimitError({ limit })) : Effect.sync(() => count(limit)))
})
`,
  "fibonacci.tasks.ts": `// A task module written without Effect, imported by the examples of @effect-futures/promise.
import { defineTask } from "@effect-futures/promise"

const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2))

export const fibonacci = defineTask("fibonacci", (n: number) => fib(n))
`
}

/** A generated module: what it shows, and for each of its lines the line of the source it comes from. */
interface Snippet {
  /** The file it comes from, relative to the repository root. */
  readonly file: string
  /** What it is: `Future.result, example 1`, `block at line 40`. */
  readonly title: string
  /** Per line of the generated module: the source file's line, or 0 for a line the generator added. */
  readonly lines: ReadonlyArray<number>
}

const started = performance.now()
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })

// Examples import the packages by name: link them (and what they depend on) as a consumer would have them.
const link = (name: string, target: string) => {
  const path = join(outDir, "node_modules", name)
  mkdirSync(dirname(path), { recursive: true })
  symlinkSync(realpathSync(target), path, "dir")
}
link("@effect-futures/core", join(root, "packages/core"))
link("@effect-futures/node", join(root, "packages/node"))
link("@effect-futures/testing", join(root, "packages/testing"))
link("@effect-futures/promise", join(root, "packages/promise"))
link("@effect-futures/cluster", join(root, "packages/cluster"))
link("effect", join(root, "packages/core/node_modules/effect"))
const platformNode = join(root, "packages/node/node_modules/@effect/platform-node")
if (existsSync(platformNode)) link("@effect/platform-node", platformNode)

writeFileSync(
  join(outDir, "tsconfig.json"),
  JSON.stringify(
    {
      extends: "../tsconfig.json",
      // Examples declare values to show their types, without using them.
      compilerOptions: { noUnusedLocals: false, noUnusedParameters: false },
      include: ["*.ts"]
    },
    null,
    2
  ) + "\n"
)
for (const [name, text] of Object.entries(fixtures)) writeFileSync(join(outDir, name), text)

const snippets = new Map<string, Snippet>()
const write = (
  name: string,
  snippet: Snippet,
  code: ReadonlyArray<{ readonly text: string; readonly line: number }>
) => {
  const header = `// ${snippet.file}: ${snippet.title} (generated by scripts/docs-examples.ts)`
  // `export {}` makes every snippet a module, so two may declare the same names.
  writeFileSync(join(outDir, name), [header, ...code.map((line) => line.text), "", "export {}", ""].join("\n"))
  snippets.set(name, { ...snippet, lines: [0, ...code.map((line) => line.line)] })
}

let jsDocCount = 0
for (const pkg of exampleCheckedPackages) {
  for (const file of publicModules(pkg)) {
    const module = file.replace(/^.*\/|\.ts$/g, "")
    const counts = new Map<string, number>()
    for (const example of jsDocExamples(file, readFileSync(file, "utf8"))) {
      const n = (counts.get(example.label) ?? 0) + 1
      counts.set(example.label, n)
      const code = example.code.split("\n").map((text, index) => ({ text, line: example.line + index }))
      const name = `${pkg}-${module}-${example.label.replaceAll(/[^\w.$-]/g, "_")}-${n}.ts`
      write(name, { file: repoPath(file), title: `${module}.${example.label}, example ${n}`, lines: [] }, code)
      jsDocCount++
    }
  }
}

const markdownFiles = [
  join(root, "README.md"),
  ...exampleCheckedPackages.map((pkg) => join(root, "packages", pkg, "README.md")).filter((file) => existsSync(file)),
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => join(root, "docs", name))
]
let blockCount = 0
let fragmentCount = 0
for (const file of markdownFiles) {
  for (const block of markdownBlocks(readFileSync(file, "utf8"))) {
    if (block.fragment) {
      fragmentCount++
      continue
    }
    const name = `md-${repoPath(file).replaceAll(/[^\w.-]/g, "_")}-${block.line}.ts`
    write(name, { file: repoPath(file), title: `the ts block at line ${block.line}`, lines: [] }, block.module)
    blockCount++
  }
}

const tsc = join(root, "node_modules/.bin/tsc")
const result = spawnSync(tsc, ["-p", join(outDir, "tsconfig.json"), "--pretty", "false"], {
  cwd: root,
  encoding: "utf8"
})
if (result.error) throw result.error

// tsc prints `path(line,col): error TSxxxx: message`, continued on indented lines.
interface Failure {
  readonly path: string
  readonly line: number
  readonly column: number
  message: string
}
const failures: Array<Failure> = []
for (const line of `${result.stdout}${result.stderr}`.split("\n")) {
  const error = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line)
  if (error) failures.push({ path: error[1]!, line: Number(error[2]), column: Number(error[3]), message: error[4]! })
  else if (line.trim() !== "" && failures.length > 0) failures[failures.length - 1]!.message += `\n${line}`
  else if (line.trim() !== "") failures.push({ path: "", line: 0, column: 0, message: line })
}

const seconds = ((performance.now() - started) / 1000).toFixed(1)
const checked = `${jsDocCount} JSDoc examples and ${blockCount} Markdown blocks`
const fragments = fragmentCount === 0 ? "" : `; ${fragmentCount} Markdown fragments not checked`
if (failures.length === 0 && result.status === 0) {
  console.log(`docs-examples: ${checked} type-check${fragments} (${seconds} s)`)
  process.exit(0)
}

const failing = new Set<string>()
let outside = 0
// In the order of the sources: by file, then line.
const reports: Array<{ readonly file: string; readonly line: number; readonly text: string }> = []
for (const failure of failures) {
  const name = failure.path.replace(/^\.docs-examples\//, "")
  const snippet = snippets.get(name)
  if (snippet !== undefined) {
    failing.add(name)
    const line = snippet.lines[failure.line - 1] ?? 0
    const where = line === 0 ? snippet.file : `${snippet.file}:${line}:${failure.column}`
    reports.push({
      file: snippet.file,
      line,
      text: `${where} — ${snippet.title} (.docs-examples/${name}:${failure.line})\n  ${failure.message.replaceAll("\n", "\n  ")}`
    })
  } else {
    outside++
    reports.push({
      file: "",
      line: 0,
      text: `${failure.path === "" ? "" : `${failure.path}(${failure.line},${failure.column}): `}${failure.message}`
    })
  }
}
reports.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
console.error(reports.map((report) => report.text).join("\n\n"))
console.error(
  `\ndocs-examples: ${failing.size} of ${snippets.size} snippets fail to type-check` +
    (outside === 0 ? "" : `, and tsc reported ${outside} errors outside them`) +
    ` (${seconds} s). Fix the code in the file named above; the generated modules are in .docs-examples/.`
)
process.exit(1)
