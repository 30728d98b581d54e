/**
 * The pool's pure decisions, without threads: how many tasks a free worker gets, the one message that hands
 * them, and what becomes of the tasks a dead worker held.
 */
import { assert, describe, it } from "@effect/vitest"
import { batchSize, MAX_BATCH, runMessage, splitDeadBatch } from "../src/internal/dispatch.ts"
import * as Protocol from "../src/internal/protocol.ts"

describe("batchSize", () => {
  const size = (waiting: number, otherIdle: number, workers: number, quotaLeft = Infinity) =>
    batchSize({ waiting, otherIdle, workers, quotaLeft })

  it("nothing waiting gives nothing", () => {
    assert.strictEqual(size(0, 0, 2), 0)
  })

  it("a queue no deeper than the free workers gives one task each, so a single task's latency is unchanged", () => {
    assert.strictEqual(size(1, 0, 2), 1)
    assert.strictEqual(size(2, 1, 2), 1)
    assert.strictEqual(size(4, 3, 4), 1)
  })

  it("a deep queue is shared among the workers", () => {
    assert.strictEqual(size(10, 0, 2), 5)
    assert.strictEqual(size(11, 0, 2), 6)
    assert.strictEqual(size(3, 0, 1), 3)
  })

  it("a batch never exceeds MAX_BATCH", () => {
    assert.strictEqual(size(10_000, 0, 2), MAX_BATCH)
    assert.strictEqual(size(10_000, 0, 1), MAX_BATCH)
  })

  it("a batch never exceeds what is left of the worker's quota", () => {
    assert.strictEqual(size(100, 0, 2, 3), 3)
    assert.strictEqual(size(100, 0, 2, 1), 1)
  })
})

describe("runMessage", () => {
  const item = (id: number, chunk = false, transfer?: ReadonlyArray<ArrayBuffer>) => ({
    id,
    chunk,
    taskName: `task${id}`,
    payload: id * 10,
    transfer,
    trace: undefined
  })

  it("one RUN message holds every task of the batch in order; a chunk's id is negative", () => {
    const { message, transfer } = runMessage([item(1), item(2, true), item(3)])
    assert.deepStrictEqual(message, [Protocol.RUN, 1, "task1", 10, -2, "task2", 20, 3, "task3", 30])
    assert.isUndefined(transfer)
  })

  it("a traced task's name comes with its caller's span", () => {
    const traced = { ...item(1), trace: ["trace", "span", true] as const }
    const { message } = runMessage([traced, item(2)])
    assert.deepStrictEqual(message, [Protocol.RUN, 1, ["task1", "trace", "span", true], 10, 2, "task2", 20])
  })

  it("the transfer lists of the tasks are joined", () => {
    const [a, b] = [new ArrayBuffer(1), new ArrayBuffer(2)]
    assert.deepStrictEqual(runMessage([item(1, false, [a]), item(2), item(3, false, [b])]).transfer, [a, b])
  })
})

describe("splitDeadBatch", () => {
  const task = (name: string, interrupting = false) => ({ name, interrupting })

  it("the first task without an answer was executing; the others never started and are handed again", () => {
    const split = splitDeadBatch([task("a"), task("b"), task("c")], true)
    assert.strictEqual(split.executing?.name, "a")
    assert.deepStrictEqual(
      split.rehand.map((t) => t.name),
      ["b", "c"]
    )
    assert.deepStrictEqual(split.cancelled, [])
    assert.deepStrictEqual(split.failed, [])
  })

  it("an unstarted task being interrupted ends cancelled, never handed again", () => {
    const split = splitDeadBatch([task("a", true), task("b", true), task("c")], true)
    assert.strictEqual(split.executing?.name, "a")
    assert.deepStrictEqual(
      split.cancelled.map((t) => t.name),
      ["b"]
    )
    assert.deepStrictEqual(
      split.rehand.map((t) => t.name),
      ["c"]
    )
  })

  it("a pool that hands out no more work (broken or closing) fails the unstarted tasks", () => {
    const split = splitDeadBatch([task("a"), task("b"), task("c", true)], false)
    assert.deepStrictEqual(
      split.failed.map((t) => t.name),
      ["b"]
    )
    assert.deepStrictEqual(
      split.cancelled.map((t) => t.name),
      ["c"]
    )
    assert.deepStrictEqual(split.rehand, [])
  })

  it("an empty batch: nothing was executing", () => {
    const split = splitDeadBatch([], true)
    assert.isUndefined(split.executing)
    assert.deepStrictEqual([split.cancelled, split.rehand, split.failed], [[], [], []])
  })
})
