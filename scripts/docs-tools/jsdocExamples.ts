/**
 * The ```ts blocks under the `@example` tags of a module's JSDoc comments, found with TypeScript's own parser
 * (TypeScript 6, this package's: TypeScript 7, the repository's compiler, has no JS API).
 */
import ts from "typescript"

export interface JsDocExample {
  /** What the comment documents: `result`, `WaitOptions.timeout`; `module` for the file's own comment. */
  readonly label: string
  /** 1-based line in the file of the example's first line of code. */
  readonly line: number
  readonly code: string
}

/** The name a declaration gives to the comments inside it, if it has one. */
const nameOf = (node: ts.Node): string | undefined => {
  if (
    (ts.isFunctionDeclaration(node) ||
      ts.isClassDeclaration(node) ||
      ts.isInterfaceDeclaration(node) ||
      ts.isTypeAliasDeclaration(node) ||
      ts.isEnumDeclaration(node) ||
      ts.isModuleDeclaration(node) ||
      ts.isVariableDeclaration(node) ||
      ts.isPropertyDeclaration(node) ||
      ts.isPropertySignature(node) ||
      ts.isPropertyAssignment(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isMethodSignature(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isEnumMember(node)) &&
    node.name !== undefined
  ) {
    return ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name)
      ? node.name.text
      : node.name.getText()
  }
  return undefined
}

/** The examples of one `/** … *\/` comment that starts on `firstLine`. */
const examplesOf = (comment: string, firstLine: number): Array<{ line: number; code: string }> => {
  const lines = comment.split("\n")
  const last = lines.length - 1
  const content = lines.map((line, index) => {
    let text = index === 0 ? line.replace(/^\s*\/\*\*/, "") : line.replace(/^\s*\*(?!\/) ?/, "")
    if (index === last) text = text.replace(/\s*\*\/\s*$/, "")
    return text
  })
  const examples: Array<{ line: number; code: string }> = []
  let inExample = false
  let fence: { readonly marker: string; readonly checked: boolean; readonly from: number } | undefined
  content.forEach((text, index) => {
    if (fence !== undefined) {
      if (text.trim().startsWith(fence.marker)) {
        if (fence.checked)
          examples.push({ line: firstLine + fence.from, code: content.slice(fence.from, index).join("\n") })
        fence = undefined
      }
      return
    }
    const tag = /^\s*@(\w+)/.exec(text)
    if (tag !== null) {
      inExample = tag[1] === "example"
      return
    }
    const open = /^\s*(`{3,}|~{3,})\s*(\w*)/.exec(text)
    if (open !== null) {
      fence = { marker: open[1]!, checked: inExample && ["ts", "typescript"].includes(open[2]!), from: index + 1 }
    }
  })
  return examples
}

/** Every `@example` code block of a TypeScript module, with the line it starts on and what it documents. */
export const jsDocExamples = (fileName: string, text: string): Array<JsDocExample> => {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const seen = new Set<number>()
  const examples: Array<JsDocExample> = []
  const visit = (node: ts.Node, path: ReadonlyArray<string>) => {
    const name = nameOf(node)
    const here = name === undefined ? path : [...path, name]
    // A declaration's comments are the leading comments of its first token; its parent, visited first and
    // starting at the same position, claims a comment they share (the statement rather than `export`).
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      if (seen.has(range.pos) || !text.startsWith("/**", range.pos) || text.startsWith("/**/", range.pos)) continue
      seen.add(range.pos)
      // A variable statement's comment documents its (first) variable.
      const owner = ts.isVariableStatement(node) ? nameOf(node.declarationList.declarations[0]!) : undefined
      const label = owner === undefined ? (here.length === 0 ? "module" : here.join(".")) : [...here, owner].join(".")
      const firstLine = source.getLineAndCharacterOfPosition(range.pos).line + 1
      for (const example of examplesOf(text.slice(range.pos, range.end), firstLine)) {
        examples.push({ label, ...example })
      }
    }
    ts.forEachChild(node, (child) => visit(child, here))
  }
  visit(source, [])
  return examples
}
