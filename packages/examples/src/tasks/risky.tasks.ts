/**
 * The task module of Example 23.2: a task that sometimes fails with a typed error. The randomness is
 * drawn in the caller from a seeded generator and passed in, so every run prints the same story.
 */
import { Task } from "@effect-futures/core"
import { Effect, Schema } from "effect"

export class TaskFailed extends Schema.TaggedError<TaskFailed>()("TaskFailed", {
  taskId: Schema.Number,
  message: Schema.String
}) {}

export const riskyTask = Task.make("riskyTask", {
  payload: Schema.Struct({ taskId: Schema.Number, millis: Schema.Number, fails: Schema.Boolean }),
  success: Schema.String,
  failure: TaskFailed,
  run: ({ fails, millis, taskId }) =>
    Effect.sleep(millis).pipe(
      Effect.andThen(
        fails
          ? Effect.fail(new TaskFailed({ taskId, message: `task ${taskId} hit a bad record` }))
          : Effect.succeed(`task ${taskId} processed ${taskId * 10} records`)
      )
    )
})
