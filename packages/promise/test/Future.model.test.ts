import { AsyncPoolExecutor, CancelledError, type Future } from "@effect-futures/promise"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

/**
 * Random interleavings of submit, cancel, interrupt, finishing a call and shutdown on an AsyncPoolExecutor,
 * checked against Python's rules: `cancel()` is true iff the future was pending or cancelled, every future
 * ends in exactly one terminal state, each done callback runs exactly once, and after `shutdown()` every
 * future is done.
 */
type Op =
  | { readonly _tag: "submit"; readonly fails: boolean }
  | { readonly _tag: "cancel"; readonly index: number }
  | { readonly _tag: "interrupt"; readonly index: number }
  | { readonly _tag: "finish"; readonly index: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ _tag: fc.constant("submit" as const), fails: fc.boolean() }),
  fc.record({ _tag: fc.constant("cancel" as const), index: fc.nat(20) }),
  fc.record({ _tag: fc.constant("interrupt" as const), index: fc.nat(20) }),
  fc.record({ _tag: fc.constant("finish" as const), index: fc.nat(20) })
)

interface Call {
  future: Future<number>
  readonly finish: () => void
  callbacks: number
  started: boolean
}

const state = (future: Future<unknown>) =>
  future.cancelled() ? "cancelled" : future.done() ? "done" : future.running() ? "running" : "pending"

describe("Future objects against Python's rules", () => {
  it("cancel is true iff pending or cancelled; one terminal state; callbacks once; all done after shutdown", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(op, { maxLength: 40 }), async (maxWorkers, ops) => {
        const executor = new AsyncPoolExecutor({ maxWorkers })
        const calls: Array<Call> = []
        for (const next of ops) {
          const call = calls.length === 0 ? undefined : calls[("index" in next ? next.index : 0) % calls.length]!
          switch (next._tag) {
            case "submit": {
              let finish!: () => void
              const finished = new Promise<void>((resolve) => (finish = resolve))
              const index = calls.length
              // Started at once on this stack when a worker is free: the record exists before the call.
              const entry = { finish: () => finish(), callbacks: 0, started: false } as Call
              entry.future = executor.submitWith({}, async (signal) => {
                entry.started = true
                await Promise.race([finished, new Promise((resolve) => signal.addEventListener("abort", resolve))])
                if (next.fails) throw new Error(`call ${index}`)
                return index
              })
              entry.future.addDoneCallback(() => void entry.callbacks++)
              calls.push(entry)
              break
            }
            case "cancel": {
              if (call === undefined) break
              const before = state(call.future)
              expect(call.future.cancel()).toBe(before === "pending" || before === "cancelled")
              if (before === "pending") expect(state(call.future)).toBe("cancelled")
              break
            }
            case "interrupt": {
              if (call === undefined) break
              const before = state(call.future)
              const cancelled = await call.future.interrupt()
              expect(call.future.done()).toBe(true)
              expect(cancelled).toBe(before === "done" ? false : true)
              break
            }
            case "finish":
              if (call === undefined) break
              call.finish()
              // A running call ends in a few microtasks; a pending one ends at once when it starts.
              if (call.started) await call.future.exception().catch(() => undefined)
              break
          }
        }
        const shutdown = executor.shutdown()
        for (const call of calls) call.finish()
        await shutdown
        for (const call of calls) {
          expect(call.future.done()).toBe(true)
          expect(call.callbacks).toBe(1)
          const error = await call.future.exception().catch((error: unknown) => error)
          if (call.future.cancelled()) expect(error).toBeInstanceOf(CancelledError)
          else expect(call.started).toBe(true)
        }
      }),
      { numRuns: 60 }
    )
  })
})
