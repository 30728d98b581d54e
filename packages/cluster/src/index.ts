/**
 * @since 0.1.0
 */
export * as ClusterExecutor from "./ClusterExecutor.ts"
