import { Context, Duration, Metric } from "effect"

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
  private readonly metrics: {
    readonly workers: Metric.Gauge<number>
    readonly busy: Metric.Gauge<number>
    readonly queued: Metric.Gauge<number>
    readonly completed: Metric.Counter<number>
    readonly failed: Metric.Counter<number>
    readonly cancelled: Metric.Counter<number>
    readonly runTime: Metric.Histogram<Duration.Duration>
  }
  readonly maxWorkers: number
  readonly queued: () => number
  private readonly context: Context.Context<never>

  constructor(maxWorkers: number, queued: () => number, executor: string, context: Context.Context<never>) {
    this.maxWorkers = maxWorkers
    this.queued = queued
    this.context = context
    const attributes = { executor }
    this.metrics = {
      workers: Metric.gauge("effect_futures_workers", { description: "workers alive", attributes }),
      busy: Metric.gauge("effect_futures_busy", { description: "workers running a task", attributes }),
      queued: Metric.gauge("effect_futures_queued", { description: "tasks waiting for a worker", attributes }),
      completed: Metric.counter("effect_futures_completed", { description: "tasks that succeeded", attributes }),
      failed: Metric.counter("effect_futures_failed", { description: "tasks that failed or died", attributes }),
      cancelled: Metric.counter("effect_futures_cancelled", { description: "futures cancelled", attributes }),
      runTime: Metric.timer("effect_futures_task_run_time", { description: "time a task ran", attributes })
    }
  }
  setWorkers(workers: number) {
    this.workers = workers
    this.metrics.workers.updateUnsafe(workers, this.context)
  }
  setBusy(busy: number) {
    this.busy = busy
    this.metrics.busy.updateUnsafe(busy, this.context)
  }
  queueChanged() {
    this.metrics.queued.updateUnsafe(this.queued(), this.context)
  }
  ended(state: "succeeded" | "failed" | "cancelled") {
    this.metrics[state === "succeeded" ? "completed" : state].updateUnsafe(1, this.context)
    if (state === "succeeded") this.completed++
    else if (state === "failed") this.failed++
    else this.cancelled++
  }
  ran(millis: number) {
    this.metrics.runTime.updateUnsafe(Duration.millis(millis), this.context)
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
