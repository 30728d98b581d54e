/**
 * Reads the public surface of a TypeScript module from its source text: the module's JSDoc, each export's
 * JSDoc (description, tags, `@example` code blocks) and a signature line.
 *
 * TypeScript 7 (the native compiler) has no JS compiler API, so typedoc and @effect/docgen cannot run
 * here. This reader does not parse TypeScript in general: it relies on the sources being formatted by
 * prettier (every top-level statement begins at column 0) and scans them with strings, comments and
 * brackets accounted for. That is enough for declarations, which is all the docs need.
 */
import { existsSync, readFileSync } from "node:fs"
import { basename, dirname, resolve } from "node:path"

export interface JsDocTag {
  readonly name: string
  readonly text: string
}

export interface Example {
  readonly code: string
  /** 1-based line in the source file of the example's first line of code. */
  readonly line: number
}

export interface JsDoc {
  readonly start: number
  readonly end: number
  /** 1-based line in the source file where the comment starts. */
  readonly line: number
  readonly description: string
  readonly tags: ReadonlyArray<JsDocTag>
  readonly examples: ReadonlyArray<Example>
  readonly since: string | undefined
  readonly category: string | undefined
}

export interface Member {
  readonly name: string
  readonly signature: string
  readonly doc: JsDoc | undefined
}

export type ExportKind = "const" | "let" | "function" | "class" | "interface" | "type" | "enum" | "namespace"

export interface Export {
  /** The exported name. */
  readonly name: string
  readonly kind: ExportKind
  /** Whether the export exists only at the type level (interface, type alias, `export type { … }`). */
  readonly typeOnly: boolean
  readonly doc: JsDoc | undefined
  readonly signature: string
  /** 1-based line of the declaration (or of the export specifier). */
  readonly line: number
  readonly members: ReadonlyArray<Member>
}

export interface ModuleDocs {
  readonly file: string
  /** The module's name: the file name without `.ts`. */
  readonly name: string
  readonly doc: JsDoc | undefined
  readonly exports: ReadonlyArray<Export>
  /** `export * as Name from "./Name.ts"` lines (an index module). */
  readonly namespaces: ReadonlyArray<{ readonly name: string; readonly from: string }>
  /** Every JSDoc comment of the file with the name of what it documents, for the example checker. */
  readonly comments: ReadonlyArray<{ readonly label: string; readonly doc: JsDoc }>
}

// ---------------------------------------------------------------------------------------------------------
// Lexing: a copy of the source with comments and string contents blanked, so brackets can be counted.

interface Lexed {
  readonly source: string
  /** Same length as `source`; comments and the insides of strings are spaces (newlines kept). */
  readonly masked: string
  readonly jsDocs: ReadonlyArray<{ readonly start: number; readonly end: number }>
  readonly lineStarts: ReadonlyArray<number>
}

const regexPreceders = "(,=:[!&|?{};+-*%<>~^"

const lex = (source: string): Lexed => {
  const out = source.split("")
  const jsDocs: Array<{ start: number; end: number }> = []
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " "
  }
  // Brace depths at which a template literal's `${` was opened, innermost last.
  const templates: Array<number> = []
  let braces = 0
  let lastSignificant = ""
  let i = 0
  const readTemplate = (from: number): number => {
    // From inside a template literal's text; returns the index after its closing backtick or `${`.
    let k = from
    while (k < source.length) {
      const c = source[k]
      if (c === "\\") {
        k += 2
        continue
      }
      if (c === "`") {
        blank(from, k)
        return k + 1
      }
      if (c === "$" && source[k + 1] === "{") {
        blank(from, k)
        templates.push(braces)
        braces++
        return k + 2
      }
      k++
    }
    blank(from, k)
    return k
  }
  while (i < source.length) {
    const c = source[i]!
    const next = source[i + 1]
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i)
      const stop = end === -1 ? source.length : end
      blank(i, stop)
      i = stop
      continue
    }
    if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2)
      const stop = end === -1 ? source.length : end + 2
      if (source[i + 2] === "*" && source[i + 3] !== "/") jsDocs.push({ start: i, end: stop })
      blank(i, stop)
      i = stop
      continue
    }
    if (c === "'" || c === '"') {
      let k = i + 1
      while (k < source.length && source[k] !== c && source[k] !== "\n") k += source[k] === "\\" ? 2 : 1
      blank(i + 1, k)
      i = k + 1
      lastSignificant = c
      continue
    }
    if (c === "`") {
      i = readTemplate(i + 1)
      lastSignificant = "`"
      continue
    }
    if (c === "/" && (lastSignificant === "" || regexPreceders.includes(lastSignificant))) {
      let k = i + 1
      let inClass = false
      while (k < source.length && source[k] !== "\n") {
        const r = source[k]
        if (r === "\\") {
          k += 2
          continue
        }
        if (r === "[") inClass = true
        else if (r === "]") inClass = false
        else if (r === "/" && !inClass) break
        k++
      }
      blank(i + 1, k)
      i = k + 1
      lastSignificant = "/"
      continue
    }
    if (c === "{") braces++
    if (c === "}") {
      if (templates.length > 0 && templates[templates.length - 1] === braces - 1) {
        templates.pop()
        braces--
        i = readTemplate(i + 1)
        lastSignificant = "`"
        continue
      }
      braces--
    }
    if (!/\s/.test(c)) lastSignificant = /[\w$]/.test(c) ? "a" : c
    i++
  }
  const lineStarts = [0]
  for (let k = 0; k < source.length; k++) if (source[k] === "\n") lineStarts.push(k + 1)
  return { source, masked: out.join(""), jsDocs, lineStarts }
}

const lineOf = (lexed: Lexed, index: number): number => {
  let low = 0
  let high = lexed.lineStarts.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (lexed.lineStarts[middle]! <= index) low = middle
    else high = middle - 1
  }
  return low + 1
}

// ---------------------------------------------------------------------------------------------------------
// Scanning with bracket depth

const openers: Record<string, string> = { "(": ")", "[": "]", "{": "}" }

/**
 * The first index from `from` (up to `to`) where `stop` holds at bracket depth 0, or -1. With `angles`, `<`
 * and `>` count as brackets too (type context), except the `>` of `=>`.
 */
const scan = (masked: string, from: number, to: number, stop: (index: number) => boolean, angles: boolean): number => {
  let depth = 0
  for (let k = from; k < to; k++) {
    const c = masked[k]!
    if (depth === 0 && stop(k)) return k
    if (c in openers || (angles && c === "<")) depth++
    else if (c === ")" || c === "]" || c === "}") depth--
    else if (angles && c === ">" && masked[k - 1] !== "=") depth--
    if (depth < 0) return -1
  }
  return -1
}

/** The index after the bracket that closes the one at `open`. */
const closing = (masked: string, open: number, to: number, angles: boolean): number => {
  const closer = masked[open] === "<" ? ">" : openers[masked[open]!]
  const end = scan(
    masked,
    open + 1,
    to,
    (k) => masked[k] === closer && !(closer === ">" && masked[k - 1] === "="),
    angles || closer === ">"
  )
  return end === -1 ? -1 : end + 1
}

const skipSpace = (masked: string, from: number): number => {
  let k = from
  while (k < masked.length && /\s/.test(masked[k]!)) k++
  return k
}

const isAssignment = (masked: string, k: number): boolean =>
  masked[k] === "=" && masked[k + 1] !== ">" && masked[k + 1] !== "=" && !"=!<>".includes(masked[k - 1]!)

// ---------------------------------------------------------------------------------------------------------
// JSDoc

const parseJsDoc = (lexed: Lexed, start: number, end: number): JsDoc => {
  const firstLine = lineOf(lexed, start)
  const lines = lexed.source
    .slice(start + 3, end - 2)
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, "").replace(/\s+$/, ""))
  // The first line is on the `/**` line itself when the comment is a one-liner.
  const tags: Array<{ name: string; lines: Array<string>; firstLine: number }> = []
  const descriptionLines: Array<string> = []
  lines.forEach((line, index) => {
    const tag = /^@(\w+)\s?(.*)$/.exec(line)
    if (tag) tags.push({ name: tag[1]!, lines: [tag[2]!], firstLine: firstLine + index })
    else if (tags.length > 0) tags[tags.length - 1]!.lines.push(line)
    else descriptionLines.push(line)
  })
  const examples: Array<Example> = []
  for (const tag of tags) {
    if (tag.name !== "example") continue
    let fence: { language: string; from: number } | undefined
    tag.lines.forEach((line, index) => {
      const marker = /^```(\w*)\s*$/.exec(line.trim())
      if (!marker) return
      if (fence === undefined) fence = { language: marker[1]!, from: index + 1 }
      else {
        if (fence.language === "ts" || fence.language === "typescript") {
          examples.push({ code: tag.lines.slice(fence.from, index).join("\n"), line: tag.firstLine + fence.from })
        }
        fence = undefined
      }
    })
  }
  const tagText = (name: string) => {
    const tag = tags.find((t) => t.name === name)
    return tag === undefined ? undefined : tag.lines.join("\n").trim()
  }
  return {
    start,
    end,
    line: firstLine,
    description: descriptionLines.join("\n").trim(),
    tags: tags.map((tag) => ({ name: tag.name, text: tag.lines.join("\n").trim() })),
    examples,
    since: tagText("since"),
    category: tagText("category")
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statements

interface Statement {
  readonly start: number
  readonly end: number
  readonly text: string
  readonly masked: string
  readonly doc: JsDoc | undefined
}

/** Top-level statements: with prettier's layout each begins at column 0, at bracket depth 0, with a word. */
const statementsOf = (lexed: Lexed, docs: ReadonlyArray<JsDoc>): Array<Statement> => {
  const { masked, source } = lexed
  const starts: Array<number> = []
  let depth = 0
  for (let k = 0; k < masked.length; k++) {
    const c = masked[k]!
    if (depth === 0 && (k === 0 || masked[k - 1] === "\n") && /[A-Za-z_$@]/.test(c)) starts.push(k)
    if (c in openers) depth++
    else if (c === ")" || c === "]" || c === "}") depth--
  }
  return starts.map((start, index) => {
    let end = index + 1 < starts.length ? starts[index + 1]! : masked.length
    while (end > start && /\s/.test(masked[end - 1]!)) end--
    const doc = docs.find((d) => d.end <= start && source.slice(d.end, start).trim() === "")
    return { start, end, text: source.slice(start, end), masked: masked.slice(start, end), doc }
  })
}

const declarationPattern =
  /^(export\s+)?(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(const|let|var|function\*?|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/

interface Declaration {
  readonly exported: boolean
  readonly kind: ExportKind
  readonly name: string
  /** Offset in the statement just after the declared name. */
  readonly afterName: number
  /** Offset in the statement of the declared name. */
  readonly nameAt: number
  readonly statement: Statement
}

const declarationOf = (statement: Statement): Declaration | undefined => {
  const match = declarationPattern.exec(statement.masked)
  if (!match) return undefined
  const keyword = match[2]!
  const kind: ExportKind =
    keyword === "var" ? "let" : keyword.startsWith("function") ? "function" : (keyword as ExportKind)
  const afterName = match[0].length
  return {
    exported: match[1] !== undefined,
    kind,
    name: match[3]!,
    afterName,
    nameAt: afterName - match[3]!.length,
    statement
  }
}

// ---------------------------------------------------------------------------------------------------------
// Signatures

const literalAsConst = /^("[^"]*"|'[^']*'|-?\d[\d_.]*)\s+as\s+const$/

/** A compact signature for a declaration, as its `.d.ts` would show it, under the exported name. */
const signatureOf = (declaration: Declaration, exportedName: string): { signature: string; members: Array<Member> } => {
  const { statement, kind, afterName } = declaration
  const { text, masked } = statement
  const to = masked.length
  const head = text
    .slice(0, declaration.nameAt)
    .replace(/^export\s+/, "")
    .replace(/^declare\s+/, "")
  if (kind === "interface" || kind === "type" || kind === "enum") {
    return { signature: `export ${head}${exportedName}${text.slice(afterName)}`, members: [] }
  }
  if (kind === "const" || kind === "let") {
    let k = skipSpace(masked, afterName)
    if (masked[k] === ":") {
      const equals = scan(masked, k + 1, to, (j) => isAssignment(masked, j), true)
      const type = text.slice(k + 1, equals === -1 ? to : equals).trim()
      return { signature: `export declare ${kind} ${exportedName}: ${type}`, members: [] }
    }
    if (masked[k] !== "=") return { signature: `export declare ${kind} ${exportedName}: unknown`, members: [] }
    k = skipSpace(masked, k + 1)
    const value = text.slice(k).trim()
    const arrow = arrowSignature(text, masked, k)
    if (arrow !== undefined) return { signature: `export declare ${kind} ${exportedName}: ${arrow}`, members: [] }
    const literal = literalAsConst.exec(value)
    if (literal) return { signature: `export declare ${kind} ${exportedName}: ${literal[1]}`, members: [] }
    if (/^[A-Za-z_$][\w$.]*$/.test(value)) {
      return { signature: `export declare ${kind} ${exportedName}: typeof ${value}`, members: [] }
    }
    return { signature: `export ${kind} ${exportedName} = ${value}`, members: [] }
  }
  if (kind === "function") {
    const open = masked.indexOf("(", afterName)
    const close = open === -1 ? -1 : closing(masked, open, to, false)
    const body = close === -1 ? -1 : scan(masked, close, to, (j) => masked[j] === "{", true)
    const rest = text.slice(afterName, body === -1 ? to : body).trim()
    return { signature: `export declare ${head.replace(/async\s+/, "")}${exportedName}${rest}`, members: [] }
  }
  if (kind === "class") {
    const bodyOpen = scan(masked, afterName, to, (j) => masked[j] === "{", true)
    const heritage = text.slice(afterName, bodyOpen === -1 ? to : bodyOpen).trim()
    const bodyClose = bodyOpen === -1 ? -1 : closing(masked, bodyOpen, to, false) - 1
    const members = bodyOpen === -1 ? [] : classMembers(statement, bodyOpen + 1, bodyClose)
    const header = `export declare ${head}${exportedName}${heritage === "" ? "" : ` ${heritage}`}`
    const body = members.length === 0 ? "{}" : `{\n${members.map((m) => `  ${m.signature}`).join("\n")}\n}`
    return { signature: `${header} ${body}`, members }
  }
  return { signature: `export ${head}${exportedName}`, members: [] }
}

/** `<T>(a: A): R => …` at `from` as the type `<T>(a: A) => R`, or undefined if it is not an arrow function. */
const arrowSignature = (text: string, masked: string, from: number): string | undefined => {
  const to = masked.length
  let k = from
  let generics = ""
  if (masked[k] === "<") {
    const end = closing(masked, k, to, true)
    if (end === -1) return undefined
    generics = text.slice(k, end)
    k = skipSpace(masked, end)
  }
  if (masked[k] !== "(") return undefined
  const paramsEnd = closing(masked, k, to, false)
  if (paramsEnd === -1) return undefined
  const params = text.slice(k, paramsEnd)
  k = skipSpace(masked, paramsEnd)
  let returns = "unknown"
  if (masked[k] === ":") {
    const arrow = scan(masked, k + 1, to, (j) => masked[j] === "=" && masked[j + 1] === ">", true)
    if (arrow === -1) return undefined
    returns = text.slice(k + 1, arrow).trim()
    k = arrow
  }
  if (!(masked[k] === "=" && masked[k + 1] === ">")) return undefined
  return `${generics}${params} => ${returns}`
}

const classMembers = (statement: Statement, from: number, to: number): Array<Member> => {
  const { text, masked } = statement
  const members: Array<Member> = []
  let k = from
  while (k < to) {
    k = skipSpace(masked, k)
    if (k >= to) break
    // A member ends at `;`/newline at depth 0, or after its body.
    const bodyOrEnd = scan(masked, k, to, (j) => masked[j] === "{" || masked[j] === "\n" || masked[j] === ";", true)
    const stop = bodyOrEnd === -1 ? to : bodyOrEnd
    const signature = text.slice(k, stop).trim()
    const next = bodyOrEnd !== -1 && masked[bodyOrEnd] === "{" ? closing(masked, bodyOrEnd, to + 1, false) : stop + 1
    const name = /^(?:(?:static|readonly|public|protected|private|override|async|get|set)\s+)*([#\w$]+)/.exec(signature)
    const isPrivate = /^(private|protected)\b/.test(signature) || name?.[1]?.startsWith("#") === true
    if (signature !== "" && name && !isPrivate) {
      members.push({ name: name[1]!, signature, doc: undefined })
    }
    k = next === -1 ? to : next
  }
  return members
}

// ---------------------------------------------------------------------------------------------------------
// Modules

const readModule = (file: string) => {
  const source = readFileSync(file, "utf8")
  const lexed = lex(source)
  const docs = lexed.jsDocs.map(({ start, end }) => parseJsDoc(lexed, start, end))
  const statements = statementsOf(lexed, docs)
  return { source, lexed, docs, statements }
}

type Parsed = ReturnType<typeof readModule>

const parsedCache = new Map<string, Parsed>()
const parsed = (file: string): Parsed => {
  let result = parsedCache.get(file)
  if (result === undefined) {
    result = readModule(file)
    parsedCache.set(file, result)
  }
  return result
}

/** The JSDoc comment just before `index` (only whitespace between), within `from`…`index`. */
const docBefore = (module: Parsed, index: number): JsDoc | undefined =>
  module.docs.find((d) => d.end <= index && module.source.slice(d.end, index).trim() === "")

interface Binding {
  readonly declaration: Declaration
  readonly module: Parsed
}

/** Finds a local declaration, following `import { name } from "./…"` into relative modules. */
const resolveLocal = (module: Parsed, file: string, name: string): Binding | undefined => {
  for (const statement of module.statements) {
    const declaration = declarationOf(statement)
    if (declaration?.name === name) return { declaration, module }
  }
  for (const statement of module.statements) {
    const imported = /^import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+["']([^"']+)["']/.exec(statement.text)
    if (!imported || !imported[2]!.startsWith(".")) continue
    for (const specifier of imported[1]!.split(",")) {
      const [original, local] = specifier
        .replace(/^\s*type\s+/, "")
        .trim()
        .split(/\s+as\s+/)
      if ((local ?? original) !== name || original === undefined) continue
      const target = resolve(dirname(file), imported[2]!)
      if (existsSync(target)) return resolveLocal(parsed(target), target, original)
    }
  }
  return undefined
}

/**
 * `export type State = internal.State`, where `internal` is a relative module: shows the internal
 * declaration instead, since readers of the reference cannot see internal modules.
 */
const expandAlias = (module: Parsed, file: string, exp: Export): Export => {
  if (exp.kind !== "type") return exp
  const alias = /^export\s+type\s+([\w$]+)(<[^=]*>)?\s*=\s*(?:([\w$]+)\.)?([\w$]+)\s*$/.exec(exp.signature)
  if (!alias || alias[2] !== undefined) return exp
  const namespace = alias[3]
  const target = alias[4]!
  let targetFile: string | undefined
  if (namespace !== undefined) {
    for (const statement of module.statements) {
      const star = /^import\s+\*\s+as\s+([\w$]+)\s+from\s+["']([^"']+)["']/.exec(statement.text)
      if (star && star[1] === namespace && star[2]!.startsWith(".")) targetFile = resolve(dirname(file), star[2]!)
    }
    if (targetFile === undefined || !existsSync(targetFile)) return exp
  }
  const binding =
    targetFile === undefined ? resolveLocal(module, file, target) : resolveLocal(parsed(targetFile), targetFile, target)
  if (binding === undefined) return exp
  if (binding.declaration.kind !== "type" && binding.declaration.kind !== "interface") return exp
  return { ...exp, signature: signatureOf(binding.declaration, exp.name).signature }
}

/** The public surface of one module file. */
export const readModuleDocs = (file: string): ModuleDocs => {
  const module = parsed(file)
  const { statements, lexed, docs } = module
  const exports: Array<Export> = []
  const namespaces: Array<{ name: string; from: string }> = []
  const labels = new Map<JsDoc, string>()
  // Internal names re-exported under a public one (`export type { ExecutorStats as Stats }`).
  const renames = new Map<string, string>()
  const moduleName = basename(file).replace(/\.ts$/, "")

  // The module's own JSDoc opens the file and is followed by an import or an `export *`.
  const first = statements[0]
  const moduleDoc =
    first?.doc !== undefined &&
    lexed.source.slice(0, first.doc.start).trim() === "" &&
    /^(import|export\s+\*)/.test(first.masked)
      ? first.doc
      : undefined
  if (moduleDoc) labels.set(moduleDoc, "module")

  const add = (exp: Export, binding: Binding) => {
    const expanded = expandAlias(binding.module, file, exp)
    exports.push(expanded)
    if (exp.doc) labels.set(exp.doc, exp.name)
    for (const member of exp.members) if (member.doc) labels.set(member.doc, `${exp.name}.${member.name}`)
  }

  const withMemberDocs = (binding: Binding, members: ReadonlyArray<Member>): Array<Member> => {
    const { statement } = binding.declaration
    return members.map((member) => {
      const at = statement.text.indexOf(member.signature)
      return at === -1 ? member : { ...member, doc: docBefore(binding.module, statement.start + at) }
    })
  }

  for (const statement of statements) {
    const namespace = /^export\s+\*\s+as\s+([\w$]+)\s+from\s+["']([^"']+)["']/.exec(statement.text)
    if (namespace) {
      namespaces.push({ name: namespace[1]!, from: namespace[2]! })
      continue
    }
    const list = /^export\s+(type\s+)?\{/.exec(statement.masked)
    if (list) {
      const typeOnlyList = list[1] !== undefined
      const open = list[0].length - 1
      const close = closing(statement.masked, open, statement.masked.length, false) - 1
      let offset = open + 1
      for (const part of statement.masked.slice(open + 1, close).split(",")) {
        const specifierAt = statement.start + offset + (part.length - part.trimStart().length)
        offset += part.length + 1
        const words = part
          .trim()
          .replace(/^type\s+/, "")
          .split(/\s+as\s+/)
        const local = words[0]
        if (local === undefined || local === "") continue
        const exportedName = words[1] ?? local
        const binding = resolveLocal(module, file, local)
        const specifierDoc = docBefore(module, specifierAt)
        const line = lineOf(lexed, specifierAt)
        if (binding === undefined) {
          exports.push({
            name: exportedName,
            kind: typeOnlyList ? "type" : "const",
            typeOnly: typeOnlyList,
            doc: specifierDoc,
            signature: `export ${typeOnlyList ? "type " : ""}{ ${local}${local === exportedName ? "" : ` as ${exportedName}`} }`,
            line,
            members: []
          })
          if (specifierDoc) labels.set(specifierDoc, exportedName)
          continue
        }
        const { signature, members } = signatureOf(binding.declaration, exportedName)
        const kind = binding.declaration.kind
        if (binding.module !== module && local !== exportedName) renames.set(local, exportedName)
        add(
          {
            name: exportedName,
            kind,
            typeOnly: typeOnlyList || kind === "interface" || kind === "type",
            // A comment on the specifier wins over the declaration's, which may be `@internal`.
            doc: specifierDoc ?? binding.declaration.statement.doc,
            signature,
            line,
            members: withMemberDocs(binding, members)
          },
          binding
        )
      }
      continue
    }
    const declaration = declarationOf(statement)
    if (declaration === undefined) continue
    if (!declaration.exported) {
      // Documented locals are exported under another name (`export { await_ as await }`); label them anyway.
      if (statement.doc && !labels.has(statement.doc)) labels.set(statement.doc, declaration.name)
      continue
    }
    const { signature, members } = signatureOf(declaration, declaration.name)
    const binding = { declaration, module }
    add(
      {
        name: declaration.name,
        kind: declaration.kind,
        typeOnly: declaration.kind === "interface" || declaration.kind === "type",
        doc: statement.doc,
        signature,
        line: lineOf(lexed, statement.start),
        members: withMemberDocs(binding, members)
      },
      binding
    )
  }

  // A name both a value and a type (`TimeoutError`, `TypeId`) is one entry: the value, with the type's
  // declaration shown below it.
  const merged: Array<Export> = []
  for (const exp of exports) {
    const twin = merged.findIndex((other) => other.name === exp.name)
    if (twin === -1) {
      merged.push(exp)
      continue
    }
    const other = merged[twin]!
    const [value, type] = other.typeOnly ? [exp, other] : [other, exp]
    merged[twin] = {
      ...value,
      typeOnly: false,
      doc: value.doc ?? type.doc,
      signature: `${value.signature}\n${type.signature}`
    }
  }

  const renamed = merged.map((exp) => {
    let signature = exp.signature
    for (const [local, exported] of renames) {
      signature = signature.replaceAll(
        new RegExp(`(?<![\\w$.])${local.replaceAll("$", "\\$")}(?![\\w$])`, "g"),
        exported
      )
    }
    return signature === exp.signature ? exp : { ...exp, signature }
  })

  const comments = docs.map((doc) => ({ label: labels.get(doc) ?? labelFromSource(module, doc), doc }))
  return { file, name: moduleName, doc: moduleDoc, exports: renamed, namespaces, comments }
}

const labelFromSource = (module: Parsed, doc: JsDoc): string => {
  const after = module.source.slice(doc.end, doc.end + 200)
  const word =
    /^\s*(?:export\s+)?(?:declare\s+)?(?:static\s+)?(?:readonly\s+)?(?:const|let|function|class|interface|type)?\s*([\w$]+)/.exec(
      after
    )
  return word?.[1] ?? `line${doc.line}`
}
