/**
 * `pnpm bench` runs every comparison and writes docs/benchmarks.md, docs/benchmarks.svg and
 * bench-results.json at the repository root; `pnpm bench --smoke` runs each once with small sizes and
 * writes to a temporary directory instead (as does any partial run). `--only=threads,cpu` runs some comparisons, `--contender=ours`
 * only the contenders whose name contains "ours" (to profile them with `--cpu-prof`; then see
 * profileSummary.ts). `--start-up-from=installed|sources` says where ours runs from in the start-up comparison
 * (default: installed, sources in a smoke run). `--rewrite` regenerates docs/benchmarks.md and .svg from
 * bench-results.json (after editing analysis.md) without measuring again.
 */
import { mkdtempSync, readFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { comparisons } from "./comparisons.ts"
import { machine, runTable, type Table } from "./harness.ts"
import { rewriteReport, writeReport, type ComparisonResult } from "./report.ts"
import type { Source } from "./startUp.ts"

const args = process.argv.slice(2)
const smoke = args.includes("--smoke")
const only = args
  .find((arg) => arg.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",")
const contender = args.find((arg) => arg.startsWith("--contender="))?.slice("--contender=".length)
// The start-up comparison runs ours from the installed packages in a full run, from the sources in a smoke
// run (packing and installing takes a minute); either may be asked for.
const startUpFrom = ((): Source => {
  const asked = args.find((arg) => arg.startsWith("--start-up-from="))?.slice("--start-up-from=".length)
  if (asked === undefined) return smoke ? "sources" : "installed"
  if (asked === "installed" || asked === "sources") return asked
  throw new Error(`--start-up-from must be installed or sources, not ${asked}`)
})()
const rounds = smoke ? 1 : 5
const warmup = smoke ? 0 : 1

const root = fileURLToPath(new URL("../../../", import.meta.url))
// Only a full run of everything replaces the committed report.
const partial = smoke || only !== undefined || contender !== undefined
const outDir = partial ? mkdtempSync(join(tmpdir(), "effect-futures-bench-")) : root

const main = async () => {
  const started = Date.now()
  const info = machine()
  console.log(`effect-futures bench${smoke ? " (smoke)" : ""}: ${info.cpus} cores, Node ${info.node}`)
  const results: Array<ComparisonResult> = []
  for (const comparison of comparisons(smoke, { startUpFrom })) {
    if (only !== undefined && !only.includes(comparison.id)) continue
    console.log(`\n${comparison.id}: ${comparison.title}`)
    for (const notice of comparison.notices) console.log(`  notice: ${notice}`)
    const tables: Array<Table> = []
    for (const spec of comparison.tables) {
      console.log(` ${spec.title}`)
      tables.push(await runTable(spec, { rounds, warmup, contender, log: (line) => console.log(line) }))
    }
    results.push({
      id: comparison.id,
      title: comparison.title,
      description: comparison.description,
      notices: comparison.notices,
      tables,
      summary: comparison.summarize(tables)
    })
  }
  const written = await writeReport(results, {
    analysis: readFileSync(new URL("../analysis.md", import.meta.url), "utf8"),
    machine: info,
    smoke,
    rounds,
    warmup,
    seconds: (Date.now() - started) / 1000,
    loadAverageAtEnd: loadavg(),
    markdown: join(outDir, "docs", "benchmarks.md"),
    svg: join(outDir, "docs", "benchmarks.svg"),
    json: join(outDir, "bench-results.json")
  })
  console.log(`\nwrote ${written.join(", ")} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
}

const rewrite = async () => {
  const written = await rewriteReport({
    analysis: readFileSync(new URL("../analysis.md", import.meta.url), "utf8"),
    markdown: join(root, "docs", "benchmarks.md"),
    svg: join(root, "docs", "benchmarks.svg"),
    json: join(root, "bench-results.json")
  })
  console.log(`rewrote ${written.join(", ")} from bench-results.json`)
}

;(args.includes("--rewrite") ? rewrite() : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("bench failed:", error)
    process.exit(1)
  }
)
