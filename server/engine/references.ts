import { nodeNamer } from "./node-name";
import { loopShape } from "./loops";
import type { Graph, GraphNode } from "./graph";
import { CREDENTIAL_NAME_PATTERN, templatePaths } from "./template";
import type { GraphProblem } from "./validate";

/**
 * Checks what templates and expressions read from other nodes against what those nodes
 * produce: a reference to a node that does not exist, or a field read from a node whose
 * output is plain text (an agent's answer), is a type mismatch the builder should see before
 * running.
 */

/** What a node kind outputs: text, structured data, or whatever flows into it. */
type OutputShape = "text" | "data" | "passthrough";

const OUTPUT_SHAPE: Record<GraphNode["type"], OutputShape> = {
  trigger: "data",
  agent: "text",
  tool: "data",
  human: "passthrough",
  condition: "passthrough",
  parallel: "passthrough",
  join: "data",
  loop: "passthrough",
  output: "passthrough",
  router: "passthrough",
  for_each: "data",
  subworkflow: "passthrough",
};

/** The templated text of a node, with where it lives (for the message). */
function templatedFields(node: GraphNode): { field: string; text: string }[] {
  switch (node.type) {
    case "agent":
      return [
        { field: "task", text: node.data.task },
        { field: "system prompt", text: node.data.systemPrompt },
      ];
    case "output":
      return [{ field: "template", text: node.data.template }];
    case "tool":
      return [{ field: "arguments", text: node.data.arguments }];
    case "router":
      return [
        { field: "input", text: node.data.input },
        { field: "instructions", text: node.data.instructions },
      ];
    case "subworkflow":
      return [{ field: "input", text: node.data.input }];
    default:
      return [];
  }
}

/** Dotted paths an expression reads, e.g. `nodes.review.output` in `len(nodes.review.output) > 0`. */
function expressionPaths(node: GraphNode): { field: string; paths: string[] }[] {
  const source = expressionOf(node);
  if (source === "") return [];
  const withoutStrings = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, "");
  const paths = withoutStrings.match(/[A-Za-z_][\w-]*(?:\.[\w-]+)+/g) ?? [];
  return [{ field: "expression", paths }];
}

function expressionOf(node: GraphNode): string {
  switch (node.type) {
    case "condition":
      return node.data.expression;
    case "loop":
      return node.data.whileExpression;
    case "for_each":
      return node.data.items;
    default:
      return "";
  }
}

/** The ids of the nodes whose outputs `nodes` read (`{{nodes.<id>.output}}` or `nodes.<id>.output` in an expression). */
export function nodesReadBy(nodes: readonly GraphNode[]): Set<string> {
  const ids = new Set<string>();
  for (const node of nodes) {
    const paths = [...templatedFields(node).flatMap(({ text }) => templatePaths(text)), ...expressionPaths(node).flatMap(({ paths }) => paths)];
    for (const path of paths) {
      const [root, id] = path.split(".");
      if (root === "nodes" && id !== undefined) ids.add(id);
    }
  }
  return ids;
}

function sampleInputKeys(graph: Graph): Set<string> | null {
  const trigger = graph.nodes.find((node) => node.type === "trigger");
  if (trigger?.type !== "trigger") return null;
  try {
    const sample: unknown = JSON.parse(trigger.data.sampleInput);
    return sample && typeof sample === "object" && !Array.isArray(sample) ? new Set(Object.keys(sample)) : null;
  } catch {
    return null;
  }
}

/** Anything in the `credentials.` namespace, malformed ones included (as the worker reads them). */
const CREDENTIAL_REFERENCE = /\{\{\s*credentials\.([^{}]*?)\s*\}\}/g;

/**
 * `{{credentials.<name>}}` is resolved by the worker in http_request arguments only (a tool
 * node's, or those an agent's model writes). Anywhere else it stays literal: in a prompt or an
 * output it would otherwise put the secret in front of the model or into the run's output.
 */
function credentialProblems(node: GraphNode, name: string): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const at = (code: string, where: string, message: string, severity: GraphProblem["severity"]) =>
    problems.push({ severity, code, message: `${name}${where}: ${message}`, nodeId: node.id });
  for (const { field, text } of templatedFields(node)) {
    const names = [...text.matchAll(CREDENTIAL_REFERENCE)];
    if (names.length === 0) continue;
    const malformed = names.find((match) => !CREDENTIAL_NAME_PATTERN.test(match[1] ?? ""));
    if (malformed) {
      at(
        "invalid_credential_reference",
        ` (${field})`,
        `${clip(malformed[0])} is not a credential reference: a name starts with a letter and has at most 64 letters, digits, "_" or "-"`,
        "error",
      );
    }
    if (node.type !== "tool") {
      at("credential_outside_tool", ` (${field})`, `{{credentials.…}} stays as written here: credentials are only resolved in tool arguments`, "warning");
    } else if (node.data.tool !== "" && node.data.tool !== "http_request") {
      at("credential_outside_tool", ` (${field})`, `credentials are only resolved in http_request arguments, not in ${node.data.tool}'s`, "warning");
    }
  }
  if (node.type === "agent" && node.data.credentials.length > 0 && !node.data.allowedTools.includes("http_request")) {
    at("unused_credentials", "", "the agent may use credentials but not http_request, the only tool that sends them", "warning");
  }
  return problems;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

export function referenceProblems(graph: Graph): GraphProblem[] {
  const nameOf = nodeNamer(graph);
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const inputKeys = sampleInputKeys(graph);
  const problems: GraphProblem[] = [];
  const inItemBody = new Set(graph.nodes.flatMap((node) => (node.type === "for_each" ? [...loopShape(graph, node.id, undefined, "item").body] : [])));

  for (const node of graph.nodes) {
    // Named as every problem names its node (node-name.ts).
    const name = nameOf(node);
    problems.push(...credentialProblems(node, name));
    const reads = [
      ...templatedFields(node).map(({ field, text }) => ({ field, paths: templatePaths(text) })),
      ...expressionPaths(node),
    ];
    for (const { field, paths } of reads) {
      for (const path of paths) {
        const [root, second, third, ...rest] = path.split(".");
        // A secret's name, not run data: credentialProblems checks those.
        if (root === "credentials") continue;
        const at = (code: string, message: string, severity: GraphProblem["severity"] = "error") =>
          problems.push({ severity, code, message: `${name} (${field}): ${message}`, nodeId: node.id });
        if (root === "nodes" && second !== undefined) {
          const target = byId.get(second);
          if (!target) {
            at("unknown_reference", `{{${path}}} refers to a node "${second}" that does not exist`);
          } else if (third !== "output") {
            at("unknown_reference", `{{${path}}}: only .output of a node can be read`);
          } else if (rest.length > 0 && OUTPUT_SHAPE[target.type] === "text") {
            at("type_mismatch", `{{${path}}} reads field "${rest.join(".")}" but ${nameOf(target)} outputs plain text`);
          }
        } else if ((root === "item" || root === "index") && !inItemBody.has(node.id)) {
          at("item_outside_for_each", `{{${path}}} is only set in the steps a For each runs per item`, "warning");
        } else if (root === "input" && second !== undefined && inputKeys && !inputKeys.has(second)) {
          at("unknown_input", `{{${path}}}: the Trigger's sample input has no "${second}"`, "warning");
        }
      }
    }
  }
  return problems;
}
