/**
 * A FIFO queue with O(1) push and shift, for work waiting for a worker or results waiting for their turn.
 *
 * @internal
 */
export class WorkQueue<A> {
  private items: Array<A | undefined> = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }
  push(item: A): void {
    this.items.push(item)
  }
  peek(): A | undefined {
    return this.head === this.items.length ? undefined : this.items[this.head]
  }
  shift(): A | undefined {
    if (this.head === this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }
  takeAll(): Array<A> {
    const taken = this.items.slice(this.head) as Array<A>
    this.items = []
    this.head = 0
    return taken
  }
}
