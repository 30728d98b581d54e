/**
 * What went wrong, in words, for the message of an error that carries it as its `cause`.
 *
 * @internal
 */

/**
 * Never empty: an error's own message; for one without (a `Schema.TaggedError` with fields only, an `Error`
 * made with none) its tag or name and its fields; for anything else the value itself.
 */
export const describeCause = (cause: unknown): string => {
  if (typeof cause === "object" && cause !== null) {
    const message = "message" in cause ? String(cause.message ?? "") : ""
    if (message !== "") return message
    const tag = "_tag" in cause && typeof cause._tag === "string" ? cause._tag : undefined
    const name = tag ?? (cause instanceof Error ? cause.name : undefined)
    const fields = json(
      Object.fromEntries(
        Object.entries(cause).filter(([key]) => key !== "_tag" && key !== "message" && key !== "stack")
      )
    )
    if (name === undefined) return json(cause)
    return fields === "{}" ? `${name} (no message)` : `${name} ${fields}`
  }
  if (cause === undefined) return "no reason given"
  const text = String(cause)
  return text === "" ? "an empty string" : text
}

const json = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
