"use client";

import { AlertIcon, CheckIcon } from "@/components/ui/icons";
import { useFitView } from "./fit-view";
import { useEditorStore, useEditorStoreApi } from "./store/editor-store-provider";
import { selectProblems } from "./store/selectors";
import { useMcpServerProblems, useProviderProblems } from "./provider-problems";

/** `validateGraph` problems of the draft; clicking one selects and shows its node. */
export function ProblemsPanel() {
  // The graph's own problems, and agents whose provider, model or MCP server this workspace cannot use.
  const graphProblems = useEditorStore(selectProblems);
  const providerProblems = useProviderProblems();
  const mcpProblems = useMcpServerProblems();
  const problems = providerProblems.length + mcpProblems.length > 0 ? [...graphProblems, ...providerProblems, ...mcpProblems] : graphProblems;
  const store = useEditorStoreApi();
  // Also reaches a card never in view, which React Flow's own fitView would wait for (fit-view.ts).
  const fitView = useFitView();
  const errors = problems.filter((problem) => problem.severity === "error").length;

  const show = (nodeId: string) => {
    store.getState().selectNode(nodeId);
    void fitView({ nodeIds: [nodeId], duration: 300, maxZoom: 1.1, padding: 0.6 });
  };

  return (
    <section aria-labelledby="problems-title" className="flex min-h-0 flex-col border-t border-slate-200" data-testid="problems-panel">
      <h2 id="problems-title" className="flex items-center gap-2 px-3 pt-3 pb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">
        Problems
        <span
          className={`rounded-full px-1.5 py-px text-[10px] ${
            errors > 0 ? "bg-red-100 text-red-700" : problems.length > 0 ? "bg-amber-100 text-amber-700" : "bg-emerald-100 text-emerald-700"
          }`}
        >
          {problems.length}
        </span>
      </h2>
      {problems.length === 0 ? (
        <p className="flex items-center gap-1.5 px-3 pb-3 text-xs text-emerald-700">
          <CheckIcon className="size-4" /> Ready to run
        </p>
      ) : (
        <ul className="min-h-0 space-y-0.5 overflow-y-auto px-2 pb-3">
          {problems.map((problem, index) => {
            const tone = problem.severity === "error" ? "text-red-600" : "text-amber-600";
            const content = (
              <>
                <AlertIcon className={`mt-0.5 size-3.5 shrink-0 ${tone}`} />
                <span className="text-xs leading-snug text-slate-700">{problem.message}</span>
              </>
            );
            const key = `${problem.code}-${problem.nodeId ?? problem.edgeId ?? ""}-${index}`;
            const nodeId = problem.nodeId;
            return (
              <li key={key}>
                {nodeId ? (
                  <button
                    type="button"
                    onClick={() => show(nodeId)}
                    className="flex w-full items-start gap-1.5 rounded px-1.5 py-1 text-left hover:bg-white hover:shadow-xs"
                  >
                    {content}
                  </button>
                ) : (
                  <div className="flex items-start gap-1.5 px-1.5 py-1">{content}</div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
