/**
 * @since 0.1.0
 */
export * as ExecutorModel from "./ExecutorModel.ts"
export * as ExecutorProgram from "./ExecutorProgram.ts"
export * as TestExecutor from "./TestExecutor.ts"
