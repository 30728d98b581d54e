/**
 * Generates the API reference, `docs/api/<package>.md`, from the JSDoc of every public export of
 * `@effect-futures/core` and `@effect-futures/node`: each module's doc, then each export's signature,
 * description, examples and `@since`, grouped by `@category`.
 *
 * typedoc and @effect/docgen need TypeScript's JS compiler API, which TypeScript 7 does not ship (its
 * `typescript` package exports only `version`), so the sources are read by `lib/sourceDocs.ts`.
 *
 * Usage:
 *   node scripts/docs-api.ts           writes docs/api/*.md
 *   node scripts/docs-api.ts --check   fails if docs/api/*.md is not what the sources generate, or if an
 *                                      export lacks JSDoc, a description, `@since` or (values) an `@example`
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import * as prettier from "prettier"
import { documentedPackages, publicModules, repoPath, root, type DocumentedPackage } from "./lib/publicModules.ts"
import { readModuleDocs, type Export, type JsDoc, type ModuleDocs } from "./lib/sourceDocs.ts"

const check = process.argv.includes("--check")
const outDir = join(root, "docs", "api")
const started = performance.now()

// ---------------------------------------------------------------------------------------------------------
// What must be documented

/** Type ids are plumbing: they need `@since`, nothing else. */
const isTypeId = (exp: Export) => exp.doc?.category === "type ids"

const problemsOf = (module: ModuleDocs): Array<string> => {
  const where = (line: number) => `${repoPath(module.file)}:${line}`
  const problems: Array<string> = []
  if (module.doc === undefined) problems.push(`${where(1)} — module ${module.name} has no module JSDoc`)
  else if (module.doc.since === undefined)
    problems.push(`${where(module.doc.line)} — module ${module.name} has no @since`)
  for (const exp of module.exports) {
    const name = `${module.name}.${exp.name}`
    if (exp.doc === undefined) {
      problems.push(`${where(exp.line)} — ${name} has no JSDoc`)
      continue
    }
    if (exp.doc.since === undefined) problems.push(`${where(exp.line)} — ${name} has no @since`)
    if (isTypeId(exp)) continue
    if (exp.doc.description === "") problems.push(`${where(exp.line)} — ${name} has no description`)
    if (!exp.typeOnly && exp.doc.examples.length === 0) problems.push(`${where(exp.line)} — ${name} has no @example`)
  }
  return problems
}

// ---------------------------------------------------------------------------------------------------------
// Markdown

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
const slugger = () => {
  const seen = new Map<string, number>()
  return (heading: string): string => {
    const base = heading
      .toLowerCase()
      .replaceAll(/[^\p{L}\p{N}\s_-]/gu, "")
      .trim()
      .replaceAll(/\s/g, "-")
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    return count === 0 ? base : `${base}-${count}`
  }
}

const categoryOrder = (category: string) => (category === "type ids" ? "~" : category)

interface Page {
  readonly pkg: DocumentedPackage
  readonly packageName: string
  readonly description: string
  readonly modules: ReadonlyArray<ModuleDocs>
}

const render = (page: Page): string => {
  const slug = slugger()
  // Headings in page order, so each anchor is numbered as GitHub numbers it.
  slug(page.packageName)
  const anchors = new Map<string, string>() // "Module" and "Module.export" → anchor
  const grouped = page.modules.map((module) => {
    anchors.set(module.name, slug(module.name))
    const hasCategories = module.exports.some((exp) => exp.doc?.category !== undefined)
    const categories = new Map<string, Array<Export>>()
    for (const exp of module.exports) {
      const category = hasCategories ? (exp.doc?.category ?? "utils") : ""
      categories.set(category, [...(categories.get(category) ?? []), exp])
    }
    const sorted = [...categories.entries()]
      .sort(([a], [b]) => (categoryOrder(a) < categoryOrder(b) ? -1 : categoryOrder(a) > categoryOrder(b) ? 1 : 0))
      .map(([category, exports]) => {
        if (category !== "") slug(category)
        const entries = [...exports].sort((a, b) => a.name.localeCompare(b.name))
        for (const exp of entries) anchors.set(`${module.name}.${exp.name}`, slug(`${module.name}.${exp.name}`))
        return { category, entries }
      })
    return { module, categories: sorted }
  })

  const links = (module: ModuleDocs, text: string): string =>
    text.replaceAll(/\{@link\s+([^}\s|]+)(?:[\s|]+([^}]*))?\}/g, (_, target: string, label: string | undefined) => {
      const anchor = anchors.get(`${module.name}.${target}`) ?? anchors.get(target)
      const shown = label?.trim() || target
      return anchor === undefined ? `\`${shown}\`` : `[\`${shown}\`](#${anchor})`
    })

  const since = (doc: JsDoc | undefined) => (doc?.since === undefined ? [] : [`Since v${doc.since}`])
  const otherTags = (module: ModuleDocs, doc: JsDoc | undefined) =>
    (doc?.tags ?? [])
      .filter((tag) => !["example", "since", "category", "internal"].includes(tag.name))
      .map((tag) => `**@${tag.name}** ${links(module, tag.text)}`)

  const out: Array<string> = []
  out.push(
    `<!-- Generated by \`pnpm docs:api\` (scripts/docs-api.ts) from the JSDoc in packages/${page.pkg}/src. Do not edit. -->`
  )
  out.push(`# ${page.packageName}`)
  if (page.description !== "") out.push(page.description)
  out.push(
    `API reference, generated from the JSDoc of the package's public modules. Import each module as a namespace: ` +
      `\`import { ${page.modules.map((m) => m.name).join(", ")} } from "${page.packageName}"\`.`
  )
  const contents: Array<string> = []
  for (const { module, categories } of grouped) {
    const summary = module.doc?.description.split(/\n\n/)[0]?.replaceAll("\n", " ") ?? ""
    contents.push(
      `- [${module.name}](#${anchors.get(module.name)})${summary === "" ? "" : ` — ${links(module, summary)}`}`
    )
    for (const { category, entries } of categories) {
      const items = entries.map((exp) => `[${exp.name}](#${anchors.get(`${module.name}.${exp.name}`)})`).join(", ")
      contents.push(`  - ${category === "" ? "" : `${category}: `}${items}`)
    }
  }
  out.push(contents.join("\n"))
  for (const { module, categories } of grouped) {
    out.push(`## ${module.name}`)
    if (module.doc?.description) out.push(links(module, module.doc.description))
    out.push([...since(module.doc), `Source: [${repoPath(module.file)}](../../${repoPath(module.file)})`].join(" · "))
    for (const { category, entries } of categories) {
      if (category !== "") out.push(`### ${category}`)
      for (const exp of entries) {
        out.push(`#### ${module.name}.${exp.name}`)
        if (exp.doc?.description) out.push(links(module, exp.doc.description))
        out.push("```ts\n" + exp.signature + "\n```")
        const documented = exp.members.filter((member) => member.doc?.description)
        if (documented.length > 0) {
          out.push(
            documented
              .map(
                (member) =>
                  `- \`${member.signature}\` — ${links(module, member.doc!.description).replaceAll("\n", " ")}`
              )
              .join("\n")
          )
        }
        for (const example of exp.doc?.examples ?? []) {
          out.push("**Example**")
          out.push("```ts\n" + example.code + "\n```")
        }
        out.push(...otherTags(module, exp.doc))
        out.push(...since(exp.doc))
      }
    }
  }
  return out.join("\n\n") + "\n"
}

// ---------------------------------------------------------------------------------------------------------

const problems: Array<string> = []
const stale: Array<string> = []
for (const pkg of documentedPackages) {
  const manifest = JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8")) as {
    name: string
    description?: string
  }
  const files = publicModules(pkg)
  const index = files.find((file) => file.endsWith("/index.ts"))
  const modules = files.map(readModuleDocs)
  // The index re-exports the modules as namespaces; document them in its order, and only them.
  const order =
    index === undefined ? [] : readModuleDocs(index).namespaces.map((n) => n.from.replace(/^\.\/|\.ts$/g, ""))
  const documented = modules
    .filter((module) => module.file !== index && (order.length === 0 || order.includes(module.name)))
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
  for (const module of modules) {
    if (module.file !== index && order.length > 0 && !order.includes(module.name)) {
      problems.push(`${repoPath(module.file)} — a public module that the package index does not export`)
    }
  }
  for (const module of documented) problems.push(...problemsOf(module))

  const target = join(outDir, `${pkg}.md`)
  const markdown = render({
    pkg,
    packageName: manifest.name,
    description: manifest.description ?? "",
    modules: documented
  })
  const options = (await prettier.resolveConfig(target)) ?? {}
  const formatted = await prettier.format(markdown, { ...options, filepath: target, parser: "markdown" })
  if (check) {
    const committed = existsSync(target) ? readFileSync(target, "utf8") : undefined
    if (committed !== formatted) stale.push(repoPath(target))
  } else {
    mkdirSync(outDir, { recursive: true })
    writeFileSync(target, formatted)
  }
}

const seconds = ((performance.now() - started) / 1000).toFixed(1)
if (problems.length > 0) {
  console.error(`docs-api: ${problems.length} public exports are not fully documented:\n  ${problems.join("\n  ")}`)
}
if (stale.length > 0) {
  console.error(
    `docs-api: ${stale.join(", ")} ${stale.length === 1 ? "is" : "are"} stale: run \`pnpm docs:api\` and commit the result`
  )
}
if (check && (problems.length > 0 || stale.length > 0)) process.exit(1)
console.log(
  check
    ? `docs-api: the API reference is up to date and every export is documented (${seconds} s)`
    : `docs-api: wrote ${documentedPackages.map((pkg) => `docs/api/${pkg}.md`).join(", ")} (${seconds} s)`
)
