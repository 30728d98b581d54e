/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): self time per function (file:function) and per file,
 * as percentages of the profile, to find the hot spots of a comparison.
 *
 * Usage: node src/profileSummary.ts <file.cpuprofile> [top = 25]
 */
import { readFileSync } from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const shortUrl = (url: string): string => {
  if (url === "") return "(native)"
  const path = url.replace(/^file:\/\//, "")
  const inModules = path.lastIndexOf("/node_modules/")
  if (inModules >= 0) {
    const rest = path.slice(inModules + "/node_modules/".length)
    return rest.replace(/^\.pnpm\/[^/]+\/node_modules\//, "")
  }
  const inPackages = path.indexOf("/packages/")
  return inPackages >= 0 ? path.slice(inPackages + 1) : path
}

export const summarize = (profile: Profile, top: number): string => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const functions = new Map<string, number>()
  const files = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    const node = byId.get(id)
    if (node === undefined) return
    const file = shortUrl(node.callFrame.url)
    const name = `${file}:${node.callFrame.functionName || "(anonymous)"}:${node.callFrame.lineNumber + 1}`
    functions.set(name, (functions.get(name) ?? 0) + delta)
    files.set(file, (files.get(file) ?? 0) + delta)
    total += delta
  })
  const lines = (title: string, entries: Map<string, number>) => [
    title,
    ...[...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`)
  ]
  return [
    `profile: ${(total / 1e6).toFixed(2)} s sampled`,
    ...lines("self time by function:", functions),
    ...lines("self time by file:", files)
  ].join("\n")
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2)
  if (file === undefined) {
    console.error("usage: node src/profileSummary.ts <file.cpuprofile> [top]")
    process.exit(2)
  }
  console.log(summarize(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(top ?? 25)))
}
