/**
 * Day 14: fetching orders with `asCompleted`.
 *
 * Three orders, each a simulated 2 s API call, submitted to an in-process pool of three workers; results
 * are printed as they arrive, one order fails and is handled, and the whole run takes about 2 s, not 6.
 *
 * Python:
 *   with ThreadPoolExecutor(max_workers=3) as executor:
 *       futures = {executor.submit(fetch_order, oid): oid for oid in order_ids}
 *       for future in as_completed(futures):
 *           try: print(f"{futures[future]}: {future.result()}")
 *           except Exception as e: print(f"{futures[future]}: failed with {e}")
 */
import { Clock, Effect, Schema, Stream } from "effect"
import { Executor, Future } from "@effect-futures/core"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"

export class OrderNotFound extends Schema.TaggedError<OrderNotFound>()("OrderNotFound", {
  orderId: Schema.String
}) {}

/** A simulated external API call: I/O-bound, 2 seconds of latency. ORD-002 does not exist. */
export const fetchOrder = (orderId: string) =>
  Effect.sleep("2 seconds").pipe(
    Effect.andThen(
      orderId === "ORD-002" ? Effect.fail(new OrderNotFound({ orderId })) : Effect.succeed(`Order ${orderId} fetched`)
    )
  )

export const orderIds = ["ORD-001", "ORD-002", "ORD-003"]

/** Returns the lines it printed, so a test can read them. */
export const program = Effect.gen(function* () {
  const lines: Array<string> = []
  const print = (line: string) => Effect.sync(() => (lines.push(line), console.log(line)))
  const startedAt = yield* Clock.currentTimeMillis

  const futures = new Map<Future.Future<string, OrderNotFound>, string>()
  for (const orderId of orderIds) futures.set(yield* Executor.submit(fetchOrder(orderId)), orderId)

  yield* Future.asCompleted(futures.keys()).pipe(
    Stream.runForEach((future) =>
      Future.result(future).pipe(
        Effect.flatMap((result) => print(`${futures.get(future)}: ${result}`)),
        Effect.catchTag("OrderNotFound", (error) => print(`${futures.get(future)}: failed with ${error._tag}`)),
        Effect.orDie
      )
    )
  )
  const seconds = ((yield* Clock.currentTimeMillis) - startedAt) / 1000
  yield* print(`total: ${seconds.toFixed(1)} s for ${orderIds.length} orders of 2 s each (sequential: 6 s)`)
  return lines
}).pipe(Effect.provide(Executor.layerFiber({ maxWorkers: 3 })))

if (import.meta.main) {
  console.log("== Day 14: fetching orders with asCompleted (layerFiber, maxWorkers: 3) ==")
  // runMain: Ctrl-C interrupts the program (its pools shut down, no worker is left behind), and a failure
  // sets the exit code.
  NodeRuntime.runMain(program)
}
