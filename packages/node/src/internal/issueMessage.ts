/**
 * A schema's rejection as a message that says where: `task "greet": input.user.name: Expected string, got 42`.
 * The issue tree is flattened by Effect's own Standard Schema formatter (one `{ path, message }` per failing
 * field); this file only writes the path as a JavaScript reader would and keeps the message short.
 *
 * Erasable TypeScript only: the worker entry imports this file under plain Node.
 *
 * @internal
 */
import * as SchemaIssue from "effect/SchemaIssue"

/** How many failing fields a message names before it says how many more there are. */
const listedIssues = 3

/** Longest message of one field: a rejected value is printed in it, and it may be large. */
const maxIssueLength = 200

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** `root` and a path into it, as JavaScript writes it: `input.user.tags[1]`, `input["a-b"]`. */
export const formatPath = (root: string, path: ReadonlyArray<PropertyKey>): string => {
  let written = root
  for (const key of path) {
    if (typeof key === "number") written += `[${key}]`
    else if (typeof key === "symbol") written += `[${String(key)}]`
    else if (identifier.test(key)) written += `.${key}`
    else written += `[${JSON.stringify(key)}]`
  }
  return written
}

/** A message cut at the length one field's part may take: a value or a stack does not flood an error. */
export const shorten = (message: string): string =>
  message.length <= maxIssueLength ? message : `${message.slice(0, maxIssueLength - 1)}…`

/**
 * The issue as `<subject><path>: <message>` for each failing field, joined by "; ". `subject` names what was
 * checked, with its task: `task "greet": input`.
 */
export const describeIssue = (subject: string, issue: SchemaIssue.Issue): string => {
  const issues = formatter(issue).issues
  const described = issues
    .slice(0, listedIssues)
    .map((each) => `${formatPath(subject, each.path?.map(keyOf) ?? [])}: ${shorten(each.message)}`)
  if (issues.length > listedIssues) described.push(`and ${issues.length - listedIssues} more`)
  return described.length === 0 ? `${subject}: ${shorten(String(issue))}` : described.join("; ")
}

// Standard Schema allows a path segment to be `{ key }`; Effect's formatter writes bare keys.
const keyOf = (segment: PropertyKey | { readonly key: PropertyKey }): PropertyKey =>
  typeof segment === "object" ? segment.key : segment
