// Public surface of the pure engine. No I/O anywhere below this folder.
export * from "./graph";
export * from "./events";
export * from "./state";
export { step } from "./step";
export { decide, MAX_CONSECUTIVE_ERRORS, type Effect, type LlmRequest } from "./decide";
export { validateGraph, type GraphProblem } from "./validate";
export { renderTemplate } from "./template";
export { BUILTIN_AGENT_TOOLS, COMPLETE_TASK, type ToolSpec } from "./agent-tools";
