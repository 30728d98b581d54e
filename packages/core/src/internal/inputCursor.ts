/**
 * `Executor.map`'s input side: pulls inputs one at a time, lazily, from any iterable (an array is read by
 * index, as its own iterator would read it, without a result object per input), and groups them into chunks.
 *
 * @internal
 */

const arrayIterator = Array.prototype[Symbol.iterator]

/**
 * What {@link InputCursor.next} returns when the inputs are exhausted.
 *
 * @internal
 */
export const end: unique symbol = Symbol("@effect-futures/core/InputCursor/end")

/** @internal */
export class InputCursor<U> {
  private readonly array: ReadonlyArray<U> | undefined
  private readonly iterator: Iterator<U> | undefined
  private index = 0
  /** No more inputs: the iterable is exhausted, or the reader stopped pulling. */
  done = false

  constructor(inputs: Iterable<U>) {
    this.array = Array.isArray(inputs) && inputs[Symbol.iterator] === arrayIterator ? (inputs as Array<U>) : undefined
    this.iterator = this.array === undefined ? inputs[Symbol.iterator]() : undefined
  }

  /** The next input, or {@link end} (then `done` is set). An iterator that throws throws here. */
  next(): U | typeof end {
    const array = this.array
    if (array !== undefined) {
      if (this.index < array.length) return array[this.index++]!
    } else {
      const next = this.iterator!.next()
      if (next.done !== true) return next.value
    }
    this.done = true
    return end
  }

  /** No more inputs are pulled (a unit already failed: whatever comes after it would only be cancelled). */
  stop(): void {
    this.done = true
  }
}

/**
 * The inputs in chunks of `size` (the last one shorter), pulled lazily.
 *
 * @internal
 */
export const chunksOf = <I>(inputs: Iterable<I>, size: number): Iterable<ReadonlyArray<I>> => ({
  [Symbol.iterator]: () => {
    const iterator = inputs[Symbol.iterator]()
    return {
      next: (): IteratorResult<ReadonlyArray<I>> => {
        const chunk: Array<I> = []
        while (chunk.length < size) {
          const next = iterator.next()
          if (next.done === true) break
          chunk.push(next.value)
        }
        return chunk.length === 0 ? { done: true, value: undefined } : { done: false, value: chunk }
      }
    }
  }
})
