/**
 * @since 0.1.0
 */
export * as ConformanceTasks from "./ConformanceTasks.ts"
export * as ExecutorConformance from "./ExecutorConformance.ts"
export * as ExecutorModel from "./ExecutorModel.ts"
export * as ExecutorProgram from "./ExecutorProgram.ts"
export * as TestExecutor from "./TestExecutor.ts"
