/**
 * `Executor.mapZip`'s inputs: several iterables read side by side, as Python's `zip(*iterables)` reads them.
 *
 * @internal
 */

/**
 * The tuples of the iterables' items, pulled lazily, one item from each per tuple; it ends with the shortest
 * iterable, and then the others' iterators are closed (`return()`), as a `for … of` that stops early closes its
 * own. No iterables: no tuples (Python's `Executor.map(fn)` yields nothing).
 *
 * @internal
 */
export const zipIterables = <Inputs extends ReadonlyArray<unknown>>(iterables: {
  readonly [K in keyof Inputs]: Iterable<Inputs[K]>
}): Iterable<Inputs> => ({
  [Symbol.iterator]: () => {
    const iterators = (iterables as ReadonlyArray<Iterable<unknown>>).map((iterable) => iterable[Symbol.iterator]())
    let done = iterators.length === 0
    const finish = (exhausted: number): IteratorResult<Inputs> => {
      done = true
      for (let index = 0; index < iterators.length; index++) {
        if (index !== exhausted) iterators[index]!.return?.()
      }
      return { done: true, value: undefined }
    }
    return {
      next: (): IteratorResult<Inputs> => {
        if (done) return { done: true, value: undefined }
        const tuple: Array<unknown> = []
        for (let index = 0; index < iterators.length; index++) {
          const next = iterators[index]!.next()
          if (next.done === true) return finish(index)
          tuple.push(next.value)
        }
        return { done: false, value: tuple as unknown as Inputs }
      },
      return: (): IteratorResult<Inputs> => (done ? { done: true, value: undefined } : finish(-1))
    }
  }
})
