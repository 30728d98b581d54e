/**
 * @since 0.1.0
 */
export * as Executor from "./Executor.ts"
export * as Future from "./Future.ts"
export * as FutureError from "./FutureError.ts"
export * as Task from "./Task.ts"
