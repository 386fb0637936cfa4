"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { errorMessage, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

/** Starting points: each template becomes a new workflow (a copy) and opens in the editor. */
export function TemplateGallery() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const templates = useQuery(trpc.workflow.templates.queryOptions(undefined, { staleTime: Infinity }));
  const create = useMutation(
    trpc.workflow.createFromTemplate.mutationOptions({
      onSuccess: ({ id }) => {
        void queryClient.invalidateQueries(trpc.workflow.list.queryFilter());
        router.push(`/workflows/${id}`);
      },
    }),
  );

  if (templates.isError) return <p className="text-sm text-red-700">{errorMessage(templates.error)}</p>;
  if (!templates.data) return null;

  return (
    <section aria-labelledby="templates-title" className="mb-8">
      <h2 id="templates-title" className="mb-3 text-sm font-semibold text-slate-900">
        Start from a template
      </h2>
      <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {templates.data.map((template) => {
          const creating = create.isPending && create.variables.templateId === template.id;
          return (
            <li
              key={template.id}
              data-testid="template-card"
              aria-label={template.name}
              className="flex flex-col rounded-lg border border-slate-200 bg-white p-4 shadow-xs"
            >
              <h3 className="text-sm font-semibold text-slate-900">{template.name}</h3>
              <p className="mt-1 line-clamp-3 flex-1 text-xs leading-relaxed text-slate-500">{template.description}</p>
              <div className="mt-3 flex items-center justify-between">
                <span className="text-xs text-slate-400">{template.nodeCount} nodes</span>
                <Button size="sm" onClick={() => create.mutate({ templateId: template.id })} disabled={create.isPending}>
                  {creating ? "Creating…" : "Use template"}
                </Button>
              </div>
            </li>
          );
        })}
      </ul>
      {create.isError && <p className="mt-2 text-sm text-red-700">{errorMessage(create.error)}</p>}
    </section>
  );
}
