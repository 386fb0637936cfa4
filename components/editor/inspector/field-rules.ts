import { z } from "zod";
import { nodeDataSchemaOf, type NodeKind } from "@/server/engine/graph";
import type { NodeData } from "../types";

/**
 * The inspector checks each value against the engine's own zod schema for the node kind
 * (the one the server saves and imports with), so a field complains as you type about
 * exactly what a save would refuse.
 */

export type FieldCheck = (value: unknown) => string | null;

export type NumberRules = { check: FieldCheck; min?: number; max?: number; integer: boolean };

function fieldSchema(kind: NodeKind, field: string): z.ZodType | undefined {
  const shape: Record<string, z.ZodType> = nodeDataSchemaOf(kind).shape;
  const schema = shape[field];
  return schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
}

/** A person-readable message for the first schema issue. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_big":
      return issue.origin === "string" ? `At most ${String(issue.maximum)} characters` : `At most ${String(issue.maximum)}`;
    case "too_small":
      return issue.origin === "string" ? `At least ${String(issue.minimum)} characters` : `At least ${String(issue.minimum)}`;
    case "invalid_type":
      return issue.expected === "int" ? "Enter a whole number" : issue.expected === "number" ? "Enter a number" : issue.message;
    default:
      return issue.message;
  }
}

export function checkField<K extends NodeKind>(kind: K, field: keyof NodeData<K> & string): FieldCheck {
  const schema = fieldSchema(kind, field);
  return (value) => {
    if (!schema) return null;
    const result = schema.safeParse(value);
    const issue = result.success ? undefined : result.error.issues[0];
    return issue ? describeIssue(issue) : null;
  };
}

/** Bounds for the number input's spinner and its check, both from the schema. */
export function numberRules<K extends NodeKind>(kind: K, field: keyof NodeData<K> & string): NumberRules {
  const schema = fieldSchema(kind, field);
  const number = schema instanceof z.ZodNumber ? schema : undefined;
  return {
    check: checkField(kind, field),
    min: number?.minValue ?? undefined,
    max: number?.maxValue ?? undefined,
    integer: number?.isInt ?? false,
  };
}
