/** ladderlab as a library: the same functions the CLI uses, with their types. */
export * from './engine/types.ts';
export * from './engine/ports.ts';
export * from './engine/ticks.ts';
export * from './engine/ladder.ts';
export * from './engine/risk.ts';
export * from './config.ts';
export * from './core/errors.ts';
export * from './core/calendar.ts';
export * from './core/exchange-calendar.ts';
export { ParentExecutor, type ExecutorContext } from './engine/executor.ts';
export { LadderEngine, type EngineOptions } from './engine/engine.ts';
