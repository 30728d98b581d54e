/**
 * `Executor.map`'s output side: the units in flight in submission order (a future, or the `Exit` of a unit
 * that ended before it was ever a future), and the results ready to emit. It hands out results in order, in
 * chunks of everything already in, and keeps the rule that the first failure in submission order fails the
 * stream after every result before it.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { CancelledError } from "../FutureError.ts"
import type { FutureImpl } from "./future.ts"
import { WorkQueue } from "./workQueue.ts"

/** A unit in flight: its future, or its exit when it ended before it was ever a future. */
type Unit<X, E> = FutureImpl<X, E> | Exit.Exit<X, E | CancelledError>

const isExitUnit = <X, E>(unit: Unit<X, E>): unit is Exit.Exit<X, E | CancelledError> => "~effect/Exit" in unit

const exitOf = <X, E>(unit: Unit<X, E>): Exit.Exit<X, E | CancelledError> | undefined =>
  isExitUnit(unit) ? unit : unit.exit

/**
 * Appends a unit's results to `into`; returns the failure that must end the stream after them, if any.
 *
 * @internal
 */
export type Unpack<X, A, E> = (value: X, into: Array<A>) => Cause.Cause<E> | undefined

/** @internal */
export const unpackOne = <A>(value: A, into: Array<A>): undefined => {
  into.push(value)
  return undefined
}

/** @internal */
export const unpackChunk = <A, E>(
  exits: ReadonlyArray<Exit.Exit<A, E>>,
  into: Array<A>
): Cause.Cause<E> | undefined => {
  for (const exit of exits) {
    if (Exit.isFailure(exit)) return exit.cause
    into.push(exit.value)
  }
  return undefined
}

/**
 * Units of type `X` (a value, or a chunk's exits) holding results `A`; `E` the units' own failures, `E1` the
 * failures found inside a unit's value.
 *
 * @internal
 */
export class OrderedResults<X, A, E, E1> {
  private readonly inFlight = new WorkQueue<Unit<X, E>>()
  /**
   * Results of units that ended at once while nothing was in flight before them: they go out first, in the next
   * chunk, without a place in `inFlight`. They count towards the buffer, so inputs are still pulled lazily.
   */
  private ready: Array<A> = []
  /** A failure inside a unit whose earlier results were emitted first: the stream's next pull fails with it. */
  failure: Cause.Cause<E1> | undefined = undefined
  private readonly unpack: Unpack<X, A, E1>

  constructor(unpack: Unpack<X, A, E1>) {
    this.unpack = unpack
  }

  /** Units and ready results held: what the buffer bounds. */
  get size(): number {
    return this.inFlight.length + this.ready.length
  }

  /** Adds a unit in flight. */
  addFuture(future: FutureImpl<X, E>): void {
    this.inFlight.push(future)
  }

  /**
   * Adds a unit that already ended (or a refused submission). Returns `true` when it failed: whatever is submitted
   * after it would only be cancelled, so the caller stops pulling inputs.
   */
  addExit(exit: Exit.Exit<X, E | E1 | CancelledError>): boolean {
    if (exit._tag === "Success" && this.inFlight.length === 0) {
      const failed = this.unpack(exit.value, this.ready)
      if (failed === undefined) return false
      exit = Exit.failCause(failed)
    }
    this.inFlight.push(exit as Exit.Exit<X, E | CancelledError>)
    return exit._tag === "Failure"
  }

  /**
   * The next chunk of results in order: ready ones, else the head's (waited for with `awaitHead`) and those of
   * every further unit already in. `Cause.done()` when nothing is left.
   */
  next<E2>(
    awaitHead: (head: FutureImpl<X, E>) => Effect.Effect<Exit.Exit<X, E | CancelledError>, E2>
  ): Effect.Effect<[A, ...Array<A>], E | E1 | E2 | CancelledError | Cause.Done> {
    if (this.ready.length > 0) {
      const values = this.ready
      this.ready = []
      return this.emitValues(values, this.takeDone(values))
    }
    const head = this.inFlight.peek()
    if (head === undefined) return Cause.done()
    const exit = exitOf(head)
    return exit !== undefined ? this.emit(exit) : Effect.flatMap(awaitHead(head as FutureImpl<X, E>), this.emit)
  }

  /** Takes every future still in flight (to cancel or interrupt them when the stream ends early). */
  takeFutures(): Array<FutureImpl<X, E>> {
    return this.inFlight.takeAll().filter((unit): unit is FutureImpl<X, E> => !isExitUnit(unit))
  }

  /** Emits the head's results and those of every further unit already in, as one chunk. */
  private readonly emit = (
    exit: Exit.Exit<X, E | CancelledError>
  ): Effect.Effect<[A, ...Array<A>], E | E1 | CancelledError> => {
    if (exit._tag === "Failure") return Effect.failCause(exit.cause)
    this.inFlight.shift()
    const values: Array<A> = []
    const failed = this.unpack(exit.value, values)
    return this.emitValues(values, failed ?? this.takeDone(values))
  }

  /** Appends the results of the units at the head that are in and succeeded; returns the failure inside the last. */
  private takeDone(values: Array<A>): Cause.Cause<E1> | undefined {
    let failed: Cause.Cause<E1> | undefined = undefined
    while (failed === undefined) {
      const head = this.inFlight.peek()
      const headExit = head === undefined ? undefined : exitOf(head)
      if (headExit === undefined || headExit._tag === "Failure") break
      this.inFlight.shift()
      failed = this.unpack(headExit.value, values)
    }
    return failed
  }

  /** A chunk of results to emit; a failure found inside a unit after some of them fails the next pull. */
  private emitValues(values: Array<A>, failed: Cause.Cause<E1> | undefined): Effect.Effect<[A, ...Array<A>], E1> {
    if (failed === undefined) return Effect.succeed(values as [A, ...Array<A>])
    if (values.length === 0) return Effect.failCause(failed)
    this.failure = failed
    return Effect.succeed(values as [A, ...Array<A>])
  }
}
