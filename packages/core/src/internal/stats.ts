import * as Context from "effect/Context"
import * as Metric from "effect/Metric"

/** @internal */
export interface ExecutorStats {
  readonly maxWorkers: number
  readonly workers: number
  readonly busy: number
  readonly queued: number
  readonly completed: number
  readonly failed: number
  readonly cancelled: number
}

const unnamed = new Map<string, number>()

/**
 * An executor's name: the one its Layer was given, else its kind and a number counted per kind in this
 * process (`fiber-1`, `fiber-2`, as Python's `ThreadPoolExecutor-0`), so that each has metric series of its own.
 *
 * @internal
 */
export const executorName = (kind: string, name: string | undefined): string => {
  if (name !== undefined && name !== "") return name
  const n = (unnamed.get(kind) ?? 0) + 1
  unnamed.set(kind, n)
  return `${kind}-${n}`
}

/**
 * Counts an executor's work and mirrors each change to Effect `Metric`s tagged with the executor's kind,
 * so `Executor.stats` and a metrics exporter always agree.
 *
 * @internal
 */
export class StatsTracker {
  workers = 0
  busy = 0
  completed = 0
  failed = 0
  cancelled = 0
  private unpublishedCompleted = 0
  readonly maxWorkers: number
  readonly queued: () => number
  private readonly update: {
    readonly workers: (value: number) => void
    readonly busy: (value: number) => void
    readonly queued: (value: number) => void
    readonly completed: (value: number) => void
    readonly failed: (value: number) => void
    readonly cancelled: (value: number) => void
    readonly runTime: (millis: number) => void
  }

  constructor(
    maxWorkers: number,
    queued: () => number,
    executor: string,
    context: Context.Context<never>,
    name: string
  ) {
    this.maxWorkers = maxWorkers
    this.queued = queued
    // The name keeps two executors of one kind apart: sharing a gauge, their `busy` 3 and `busy` 1 read as 1.
    const attributes = { executor, executor_name: name }
    this.update = {
      workers: updater(Metric.gauge("effect_futures_workers", { description: "workers alive", attributes }), context),
      busy: updater(
        Metric.gauge("effect_futures_busy", { description: "workers running a task", attributes }),
        context
      ),
      queued: updater(
        Metric.gauge("effect_futures_queued", { description: "tasks waiting for a worker", attributes }),
        context
      ),
      completed: updater(
        Metric.counter("effect_futures_completed", { description: "tasks that succeeded", attributes }),
        context
      ),
      failed: updater(
        Metric.counter("effect_futures_failed", { description: "tasks that failed or died", attributes }),
        context
      ),
      cancelled: updater(
        Metric.counter("effect_futures_cancelled", { description: "futures cancelled", attributes }),
        context
      ),
      // A histogram of numbers rather than `Metric.timer`: the timer converts a Duration on every update.
      runTime: updater(
        Metric.histogram("effect_futures_task_run_time", {
          description: "time a task ran, in milliseconds",
          attributes: { ...attributes, time_unit: "milliseconds" },
          boundaries: Metric.exponentialBoundaries({ start: 0.05, factor: 2, count: 24 })
        }),
        context
      )
    }
  }
  /** The values the `workers` and `busy` gauges hold. */
  private publishedWorkers = 0
  private publishedBusy = 0
  setWorkers(workers: number) {
    this.workers = workers
    this.publishedWorkers = workers
    this.update.workers(workers)
  }
  setBusy(busy: number) {
    this.busy = busy
    this.publishedBusy = busy
    this.update.busy(busy)
  }
  /** After `workers` or `busy` were changed in place: updates the gauges that no longer match. */
  syncGauges() {
    if (this.publishedWorkers !== this.workers) this.setWorkers(this.workers)
    if (this.publishedBusy !== this.busy) this.setBusy(this.busy)
  }
  queueChanged() {
    this.update.queued(this.queued())
  }
  ended(state: "succeeded" | "failed" | "cancelled") {
    if (state === "succeeded") {
      this.completed++
      this.update.completed(1)
    } else if (state === "failed") {
      this.failed++
      this.update.failed(1)
    } else {
      this.cancelled++
      this.update.cancelled(1)
    }
  }
  /**
   * Counts a task that succeeded, like `ended("succeeded")`, but leaves the metric to {@link publish}: for a
   * caller that ends many tasks in one synchronous loop and publishes once after it.
   */
  succeededQuietly() {
    this.completed++
    this.unpublishedCompleted++
  }
  /** Brings the `completed` counter metric up to date with {@link succeededQuietly}'s counts. */
  publish() {
    if (this.unpublishedCompleted === 0) return
    this.update.completed(this.unpublishedCompleted)
    this.unpublishedCompleted = 0
  }
  ran(millis: number) {
    this.update.runTime(millis)
  }
  snapshot(): ExecutorStats {
    return {
      maxWorkers: this.maxWorkers,
      workers: this.workers,
      busy: this.busy,
      queued: this.queued(),
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled
    }
  }
}

/**
 * An update function for one metric series. `Metric.updateUnsafe` looks the series up in the registry by
 * key on every call, which cost ~5% of a tiny task; the series' hooks are resolved once here instead.
 */
const updater = <Input>(metric: Metric.Metric<Input, unknown>, context: Context.Context<never>) => {
  const withHook = metric as unknown as {
    readonly hook?: (context: Context.Context<never>) => { update(input: Input, context: Context.Context<never>): void }
  }
  if (typeof withHook.hook !== "function") return (input: Input) => metric.updateUnsafe(input, context)
  const hooks = withHook.hook(context)
  return (input: Input) => hooks.update(input, context)
}
