/**
 * The API reference: typedoc and typedoc-plugin-markdown over the index modules of the documented packages,
 * with the checks that every public export is documented.
 *
 * typedoc needs TypeScript's JS API, which TypeScript 7 (the repository's compiler) does not have: this
 * package pins TypeScript 6 for typedoc alone. `pnpm check` type-checks the sources with TypeScript 7, so
 * typedoc does not report type errors (`skipErrorChecking`).
 *
 * Three adjustments to typedoc's defaults, made in conversion hooks:
 * - A module's own JSDoc (the first comment of `Future.ts`) documents its namespace (`export * as Future`),
 *   without the `@module` tag that typedoc asks for.
 * - Members inherited from a base class or interface of a dependency (a `Schema.TaggedError`'s, a
 *   `Context.Service`'s, `Pipeable`'s `pipe`) are left out: they are Effect's to document.
 * - So are the comments of signatures declared in a dependency (`TimeoutError = Cause.TimeoutError`).
 */
import { fileURLToPath } from "node:url"
import { stripVTControlCharacters } from "node:util"
import * as td from "typedoc"
import type { MarkdownRenderer, PluginOptions } from "typedoc-plugin-markdown"

const ts = td.TypeScript

export interface DocumentedPackage {
  /** The package's name, as users import it: `@effect-futures/core`. */
  readonly name: string
  /** Its `package.json` description, shown in the reference's index. */
  readonly description: string
  /** Its index module, which re-exports each public module as a namespace. */
  readonly entryPoint: string
}

export interface ReferenceOptions {
  readonly packages: ReadonlyArray<DocumentedPackage>
  /** The tsconfig to read the sources with. */
  readonly tsconfig: string
  /** Where to write the Markdown; nothing is written if undefined. */
  readonly outDir: string | undefined
  /** A comment put at the top of every page. */
  readonly banner: string
  /** Paths in messages are relative to this directory. */
  readonly root: string
}

export interface Reference {
  /** Per package, the names of the namespaces it exports. */
  readonly namespaces: ReadonlyMap<string, ReadonlyArray<string>>
  /** Undocumented exports, and typedoc's own warnings and errors (a `{@link}` to nothing, …). */
  readonly problems: ReadonlyArray<string>
}

/** Collects typedoc's warnings and errors instead of printing them. */
class CollectingLogger extends td.ConsoleLogger {
  readonly messages: Array<string> = []
  override log(message: string, level: Exclude<td.LogLevel, td.LogLevel.None>): void {
    if (level >= td.LogLevel.Warn) this.messages.push(stripVTControlCharacters(message))
  }
}

interface Location {
  readonly file: string
  readonly line: number
}

const locationOf = (node: td.TypeScript.Node): Location => {
  const source = node.getSourceFile()
  return { file: source.fileName, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 }
}

const isExternal = (node: td.TypeScript.Node | undefined) =>
  node !== undefined && node.getSourceFile().fileName.includes("/node_modules/")

/**
 * A file's own JSDoc: its first comment, if it is a `/** … *\/` before the imports (or before another comment),
 * not the comment of a declaration that starts the file.
 */
const fileComment = (source: td.TypeScript.SourceFile): string | undefined => {
  const comments = ts.getLeadingCommentRanges(source.text, 0) ?? []
  const first = comments[0]
  if (first === undefined || !source.text.startsWith("/**", first.pos)) return undefined
  const statement = source.statements[0]
  const documentsStatement =
    comments.length === 1 &&
    statement !== undefined &&
    !ts.isImportDeclaration(statement) &&
    !(ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined)
  if (documentsStatement) return undefined
  return source.text
    .slice(first.pos + 3, first.end - 2)
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
}

/** A typedoc comment from a JSDoc's text: the summary is parsed as Markdown, each tag kept as text. */
const parseFileComment = (app: td.Application, text: string, path: string): td.Comment => {
  const [summary = "", ...tags] = text.split(/^(?=@\w)/m)
  const { content } = app.converter.parseRawComment(
    new td.MinimalSourceFile(summary.trim(), td.normalizePath(path)),
    app.files
  )
  return new td.Comment(
    content,
    tags.map((tag) => {
      const [, name = "", body = ""] = /^(@\w+)\s*([\s\S]*)$/.exec(tag.trim()) ?? []
      return new td.CommentTag(name as `@${string}`, [{ kind: "text", text: body.trim() }])
    })
  )
}

/** The problems of a namespace's export: what the docs ask of every one. */
const exportProblems = (exported: td.DeclarationReflection, category: string | undefined): Array<string> => {
  const target = exported.isReference() ? exported.getTargetReflectionDeep() : exported
  const comment =
    exported.comment ??
    (target instanceof td.DeclarationReflection ? (target.comment ?? target.signatures?.[0]?.comment) : undefined)
  if (comment === undefined) return ["has no JSDoc"]
  const problems: Array<string> = []
  if (comment.getTag("@since") === undefined) problems.push("has no @since")
  // Type ids are plumbing: they need `@since`, nothing else.
  if (category === "type ids") return problems
  if (td.Comment.combineDisplayParts(comment.summary).trim() === "") problems.push("has no description")
  const typeOnly = target.kindOf(td.ReflectionKind.Interface | td.ReflectionKind.TypeAlias)
  if (!typeOnly && comment.getTag("@example") === undefined) problems.push("has no @example")
  return problems
}

/**
 * Converts the packages with typedoc, checks that every export is documented, and writes the Markdown
 * reference to `outDir`: a folder per package (`core/`, `node/`), a page per namespace.
 */
export const generateReference = async (options: ReferenceOptions): Promise<Reference> => {
  const logger = new CollectingLogger()
  const typedocOptions: Partial<td.TypeDocOptions & PluginOptions> = {
    entryPoints: options.packages.map((pkg) => pkg.entryPoint),
    tsconfig: options.tsconfig,
    plugin: [fileURLToPath(import.meta.resolve("typedoc-plugin-markdown"))],
    name: "effect-futures API reference",
    readme: "none",
    logLevel: "Warn",
    skipErrorChecking: true,
    // Source links would name a line, and change with every edit above it.
    disableSources: true,
    excludeInternal: true,
    excludePrivate: true,
    excludeProtected: true,
    categoryOrder: ["*", "type ids"],
    validation: { notExported: false, invalidLink: true, rewrittenLink: true, notDocumented: false },
    // typedoc-plugin-markdown
    out: options.outDir ?? "",
    router: "module",
    excludeScopesInPaths: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    parametersFormat: "table",
    interfacePropertiesFormat: "table",
    classPropertiesFormat: "table",
    typeAliasPropertiesFormat: "table",
    propertyMembersFormat: "table",
    typeDeclarationFormat: "table",
    indexFormat: "table"
  }
  const app = await td.Application.bootstrapWithPlugins(typedocOptions, [])
  app.logger = logger
  const hooks = (app.renderer as MarkdownRenderer).markdownHooks
  hooks.on("index.page.begin", () => options.banner)
  hooks.on("page.begin", () => options.banner)

  const locations = new Map<td.Reflection, Location>()
  const missingModuleDocs = new Set<td.Reflection>()
  app.converter.on(td.Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    const declaration = context.getSymbolFromReflection(reflection)?.declarations?.[0]
    if (declaration !== undefined) locations.set(reflection, locationOf(declaration))
    if (reflection.kindOf(td.ReflectionKind.Namespace)) {
      // The comment typedoc found, if any, is the one on `export * as Future`: the index's own, in the first one.
      const source = declaration !== undefined && ts.isSourceFile(declaration) ? declaration : undefined
      const text = source === undefined ? undefined : fileComment(source)
      if (source !== undefined && text !== undefined) {
        reflection.comment = parseFileComment(app, text, source.fileName)
        locations.set(reflection, { file: source.fileName, line: 1 })
      } else if (reflection.comment === undefined) missingModuleDocs.add(reflection)
    }
  })
  app.converter.on(td.Converter.EVENT_CREATE_SIGNATURE, (_context, signature, declaration) => {
    if (isExternal(declaration)) delete signature.comment
  })
  // After typedoc has copied inherited members (priority 0) and before it groups the members (-100).
  app.converter.on(
    td.Converter.EVENT_RESOLVE_END,
    (context) => {
      const inherited = Object.values(context.project.reflections).filter(
        (reflection) => reflection instanceof td.DeclarationReflection && reflection.inheritedFrom !== undefined
      )
      for (const reflection of inherited) context.project.removeReflection(reflection)
    },
    -50
  )

  const project = await app.convert()
  if (project === undefined) return { namespaces: new Map(), problems: logger.messages }
  app.validate(project)

  const where = (reflection: td.Reflection) => {
    const location = locations.get(reflection)
    return location === undefined
      ? reflection.getFullName()
      : `${location.file.startsWith(options.root) ? location.file.slice(options.root.length + 1) : location.file}:${location.line}`
  }
  const modules = project.children ?? []
  const namespaces = new Map<string, Array<string>>()
  const problems: Array<string> = []
  options.packages.forEach((pkg, index) => {
    // With one entry point, typedoc makes the project the module.
    // typedoc sorts the modules by path (`cluster/src` before `core/src`), not in the packages' order.
    const module: td.ContainerReflection | undefined =
      options.packages.length === 1
        ? project
        : (modules.find((m) => pkg.entryPoint.endsWith(`/${m.name}/index.ts`)) ?? modules[index])
    if (module === undefined) return
    // typedoc names a module after its path; users know it by its package's name.
    module.name = pkg.name
    if (module.comment === undefined && pkg.description !== "") {
      module.comment = new td.Comment([{ kind: "text", text: pkg.description }])
    }
    const children = module.children ?? []
    namespaces.set(
      pkg.name,
      children.filter((child) => child.kindOf(td.ReflectionKind.Namespace)).map((child) => child.name)
    )
    for (const namespace of children) {
      if (missingModuleDocs.has(namespace)) problems.push(`${where(namespace)} — module ${namespace.name} has no JSDoc`)
      else if (namespace.kindOf(td.ReflectionKind.Namespace) && namespace.comment?.getTag("@since") === undefined) {
        problems.push(`${where(namespace)} — module ${namespace.name} has no @since`)
      }
      const categoryOf = (child: td.Reflection) =>
        namespace.categories?.find((category) => category.children.includes(child as td.DeclarationReflection))?.title
      for (const exported of namespace.children ?? []) {
        for (const problem of exportProblems(exported, categoryOf(exported))) {
          problems.push(`${where(exported)} — ${namespace.name}.${exported.name} ${problem}`)
        }
      }
    }
  })

  if (options.outDir !== undefined) await app.generateOutputs(project)
  return { namespaces, problems: [...logger.messages, ...problems] }
}
