/**
 * @since 0.1.0
 */
export * as NodeExecutor from "./NodeExecutor.ts"
