"use client";

import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { AppNodeOf } from "../types";
import { useEditorStore } from "../store/editor-store-provider";
import { NodeShell } from "./node-shell";

/** A router: its branches are its outputs; after a run, the branch it chose and the model's reason. */
export const RouterNode = memo(function RouterNode({ id, data, selected }: NodeProps<AppNodeOf<"router">>) {
  const route = useEditorStore((s) => s.run.state?.nodes[id]?.route);
  const model = data.model.trim() || (data.provider === "default" ? "default model" : data.provider);
  return (
    <NodeShell
      id={id}
      kind="router"
      label={data.label}
      selected={selected}
      meta={`Router · ${model}`}
      sourcePorts={data.branches.map((branch) => branch.name)}
      summary={data.instructions}
    >
      {route && (
        <div data-testid="router-choice" className="border-t border-slate-100 px-3 py-1.5 text-[11px] leading-snug text-slate-700">
          <span className="font-semibold">{route.defaulted ? "Default" : "Chose"} → {route.branch}</span>
          {route.reason && <span className="line-clamp-2 text-slate-500">{route.reason}</span>}
        </div>
      )}
    </NodeShell>
  );
});
