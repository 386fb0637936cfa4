"use client";

import { useCallback } from "react";
import type { NodeKind } from "@/server/engine/graph";
import type { AppNode, NodeData } from "../types";
import { useEditorStore, useEditorStoreApi } from "./editor-store-provider";
import { findNode } from "./selectors";
import type { EditorState } from "./types";

export function dataOfKind<K extends NodeKind>(node: AppNode | undefined, kind: K): NodeData<K> | undefined {
  if (node?.type !== kind) return undefined;
  // Sound after the check above; TypeScript cannot relate a generic kind to the union member.
  return node.data as NodeData<K>;
}

/**
 * One node's settings. A drag replaces the node object but keeps its `data`, so forms
 * subscribed here do not re-render while the node moves.
 */
export function useNodeData<K extends NodeKind>(nodeId: string, kind: K): NodeData<K> | undefined {
  return useEditorStore(useCallback((s: EditorState) => dataOfKind(findNode(s, nodeId), kind), [nodeId, kind]));
}

/** A typed setter for one node's settings: only keys of that kind's data compile. */
export function useUpdateNodeData<K extends NodeKind>(nodeId: string, kind: K): (patch: Partial<NodeData<K>>) => void {
  const store = useEditorStoreApi();
  return useCallback(
    (patch: Partial<NodeData<K>>) => {
      const state = store.getState();
      // A form can outlive its node for a render (undo removed it): never patch another kind's data.
      if (findNode(state, nodeId)?.type !== kind) return;
      state.updateNodeData(nodeId, patch);
    },
    [store, nodeId, kind],
  );
}
