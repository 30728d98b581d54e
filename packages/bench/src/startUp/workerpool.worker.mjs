// The worker of workerpool in the start-up comparison: the empty task.
import workerpool from "workerpool"

workerpool.worker({ noop: (n) => n })
