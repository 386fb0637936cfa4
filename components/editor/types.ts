import type { Edge, Node } from "@xyflow/react";
import type { NodeDataOf, NodeKind } from "@/server/engine/graph";

/** A canvas node of one kind. `type` is required (React Flow makes it optional) so the union discriminates. */
export type AppNodeOf<K extends NodeKind> = Node<NodeDataOf<K>, K> & { type: K };

/** Every canvas node: one member per engine node kind. */
export type AppNode = { [K in NodeKind]: AppNodeOf<K> }[NodeKind];

export type AppEdge = Edge;

/** The part of the editor state that undo/redo snapshots. */
export type FlowGraph = { nodes: AppNode[]; edges: AppEdge[] };

type DataByKind = { [K in NodeKind]: NodeDataOf<K> };
/** Settings of one node kind, as a plain lookup TypeScript can relate to a generic kind. */
export type NodeData<K extends NodeKind> = DataByKind[K];
