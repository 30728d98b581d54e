/**
 * "Did you mean …?": the known name closest to a mistyped one, by edit distance. Pure; used to tell a user which
 * task they meant when a task module does not export the name they submitted (the node pools, the cluster),
 * and which option they meant by a key that is not one (`validate.ts`).
 *
 * Erasable TypeScript only: the node pools' worker entry imports this file under plain Node.
 *
 * @internal
 */

/**
 * The edit distance of two strings: the fewest insertions, deletions, substitutions and swaps of two adjacent
 * characters that turn one into the other (the optimal string alignment distance). A swap counts as one edit
 * because it is the commonest typo ("spni" for "spin").
 */
export const editDistance = (a: string, b: string): number => {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  // Three rows of the distance matrix: the one before the previous is what a swap looks back to.
  let beforePrevious: Array<number> = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + substitution)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, beforePrevious[j - 2]! + 1)
      }
      current.push(distance)
    }
    beforePrevious = previous
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate closest to `name`, if one is close enough to be the name meant: at most 40% of `name`'s length
 * in edits (at least one), ignoring case. A tie goes to the candidate first in alphabetical order, so the
 * suggestion does not depend on the order of a module's exports.
 */
export const closestName = (name: string, candidates: Iterable<string>): string | undefined => {
  const limit = Math.max(1, Math.floor(name.length * 0.4))
  const wanted = name.toLowerCase()
  let best: string | undefined = undefined
  let bestDistance = Infinity
  for (const candidate of [...candidates].sort()) {
    if (candidate === name) continue
    // A length gap above the limit is already too many edits.
    if (Math.abs(candidate.length - name.length) > limit) continue
    const distance = editDistance(wanted, candidate.toLowerCase())
    if (distance <= limit && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}
