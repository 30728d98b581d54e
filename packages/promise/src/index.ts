/**
 * @since 0.1.0
 */
export * from "./asCompleted.ts"
export * from "./AsyncPoolExecutor.ts"
export * from "./defineTask.ts"
export * from "./errors.ts"
export * from "./Future.ts"
export * from "./ProcessPoolExecutor.ts"
export * from "./ThreadPoolExecutor.ts"
export * from "./wait.ts"
