/**
 * The ```ts blocks of a Markdown file, each made into a module that can be type-checked on its own: the
 * block's code, after the hidden code it is read with (the file's preambles, and the imports of the blocks
 * before it). The conventions are described at the top of `scripts/docs-examples.ts`.
 */

/** A line of a generated module, and the 1-based line of the Markdown file it comes from. */
export interface SourcedLine {
  readonly text: string
  readonly line: number
}

export interface MarkdownBlock {
  /** 1-based line of the block's opening fence. */
  readonly line: number
  /** The module to check: hidden imports, hidden code, then the block. Empty for a fragment. */
  readonly module: ReadonlyArray<SourcedLine>
  /** Marked `<!-- fragment -->`: shown, not checked. */
  readonly fragment: boolean
}

// ---------------------------------------------------------------------------------------------------------
// Imports: hidden imports give way to the names a block imports or declares itself.

interface Specifier {
  readonly text: string
  readonly local: string
}

interface Import {
  readonly line: number
  readonly typeOnly: boolean
  readonly defaultName: string | undefined
  readonly namespace: string | undefined
  readonly named: ReadonlyArray<Specifier>
  /** The module specifier, with its quotes. */
  readonly from: string
  /** The statement as written, for what the parser does not take apart (`import "./setup.ts"`). */
  readonly text: string
}

const parseImport = (text: string, line: number): Import => {
  const match = /^import\s+(type\s+)?([\s\S]*?)\s*from\s*(["'][^"']+["'])/.exec(text)
  if (match === null)
    return { line, typeOnly: false, defaultName: undefined, namespace: undefined, named: [], from: "", text }
  const clause = match[2]!
  const named = /\{([\s\S]*)\}/.exec(clause)?.[1] ?? ""
  return {
    line,
    typeOnly: match[1] !== undefined,
    defaultName: /^([\w$]+)\s*(,|$)/.exec(clause)?.[1],
    namespace: /\*\s*as\s+([\w$]+)/.exec(clause)?.[1],
    named: named
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map((part) => ({ text: part, local: /([\w$]+)$/.exec(part)?.[1] ?? part })),
    from: match[3]!,
    text
  }
}

const namesOf = (statement: Import): Array<string> => [
  ...(statement.defaultName === undefined ? [] : [statement.defaultName]),
  ...(statement.namespace === undefined ? [] : [statement.namespace]),
  ...statement.named.map((specifier) => specifier.local)
]

/** The statement with only the names not `taken`, or undefined if none is left. */
const withoutNames = (statement: Import, taken: ReadonlySet<string>): string | undefined => {
  if (statement.from === "") return statement.text.replaceAll(/\s*\n\s*/g, " ")
  const defaultName =
    statement.defaultName !== undefined && !taken.has(statement.defaultName) ? statement.defaultName : undefined
  const namespace =
    statement.namespace !== undefined && !taken.has(statement.namespace) ? statement.namespace : undefined
  const named = statement.named.filter((specifier) => !taken.has(specifier.local))
  const parts = [
    ...(defaultName === undefined ? [] : [defaultName]),
    ...(namespace === undefined ? [] : [`* as ${namespace}`]),
    ...(named.length === 0 ? [] : [`{ ${named.map((specifier) => specifier.text).join(", ")} }`])
  ]
  if (parts.length === 0) return undefined
  return `import ${statement.typeOnly ? "type " : ""}${parts.join(", ")} from ${statement.from}`
}

/** Splits code into its top-level import statements and the rest. */
const splitImports = (lines: ReadonlyArray<SourcedLine>) => {
  const imports: Array<Import> = []
  const rest: Array<SourcedLine> = []
  for (let index = 0; index < lines.length; index++) {
    if (!/^import[\s{*"']/.test(lines[index]!.text)) {
      rest.push(lines[index]!)
      continue
    }
    const start = index
    // A statement ends on the line with its module specifier.
    while (index < lines.length - 1 && !/["'];?\s*(\/\/.*)?$/.test(lines[index]!.text)) index++
    const text = lines
      .slice(start, index + 1)
      .map((line) => line.text)
      .join("\n")
    imports.push(parseImport(text, lines[start]!.line))
  }
  return { imports, rest }
}

/** Names a block declares at its top level, which hidden imports must not import again. */
const declaredNames = (lines: ReadonlyArray<SourcedLine>): Array<string> =>
  lines.flatMap(({ text }) => {
    const match =
      /^(?:export\s+)?(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:const|let|var|function\*?|class|interface|type|enum|namespace)\s+([\w$]+)/.exec(
        text
      )
    return match === null ? [] : [match[1]!]
  })

// ---------------------------------------------------------------------------------------------------------

const isChecked = (info: string) => ["ts", "typescript"].includes(info.trim().split(/\s+/)[0] ?? "")

/** Every fenced code block of a Markdown file whose language is `ts`, as a module to type-check. */
export const markdownBlocks = (markdown: string): Array<MarkdownBlock> => {
  const lines = markdown.split("\n")
  const blocks: Array<MarkdownBlock> = []
  const preamble: Array<SourcedLine> = []
  const carriedImports: Array<Import> = []
  let fragmentMark = false
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index]!
    const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text)
    if (open !== null) {
      const marker = open[1]!
      const start = index
      const code: Array<SourcedLine> = []
      for (index++; index < lines.length && !lines[index]!.trimStart().startsWith(marker); index++) {
        code.push({ text: lines[index]!, line: index + 1 })
      }
      const fragment = fragmentMark
      fragmentMark = false
      if (!isChecked(open[2]!)) continue
      const own = splitImports(code)
      if (fragment) {
        blocks.push({ line: start + 1, module: [], fragment })
        continue
      }
      const hidden = splitImports(preamble)
      const taken = new Set([...own.imports.flatMap(namesOf), ...declaredNames(own.rest)])
      const hiddenImports: Array<SourcedLine> = []
      for (const statement of [...hidden.imports, ...carriedImports]) {
        const kept = withoutNames(statement, taken)
        if (kept === undefined || hiddenImports.some((line) => line.text === kept)) continue
        hiddenImports.push({ text: kept, line: statement.line })
        for (const name of namesOf(statement)) taken.add(name)
      }
      blocks.push({ line: start + 1, module: [...hiddenImports, ...hidden.rest, ...code], fragment })
      // A reader assumes the imports shown once hold for the blocks that follow.
      carriedImports.push(...own.imports)
      continue
    }
    if (/^<!--\s*fragment\b/.test(text)) {
      while (index < lines.length - 1 && !lines[index]!.includes("-->")) index++
      // The mark holds for the next block if nothing but blank lines comes between.
      let next = index + 1
      while (next < lines.length && lines[next]!.trim() === "") next++
      fragmentMark = next < lines.length && /^ {0,3}(`{3,}|~{3,})/.test(lines[next]!)
      continue
    }
    if (/^<!--\s*preamble\b/.test(text)) {
      for (index++; index < lines.length && lines[index]!.trim() !== "-->"; index++) {
        preamble.push({ text: lines[index]!, line: index + 1 })
      }
      continue
    }
  }
  return blocks
}
