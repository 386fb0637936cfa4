// Public surface of the pure engine. No I/O anywhere below this folder.
export * from "./graph";
export * from "./events";
export * from "./state";
export { step } from "./step";
export { decide, type Effect, type LlmRequest } from "./decide";
export { MAX_CONSECUTIVE_ERRORS, estimateTokens } from "./agent";
export { validateGraph, type GraphProblem } from "./validate";
export { renderTemplate } from "./template";
export { ALLOWABLE_TOOL_NAMES, COMPLETE_TASK, REQUEST_HUMAN_INPUT, type ToolSpec } from "./agent-tools";
export { AGENT_PRESETS, type AgentPreset } from "./presets";
