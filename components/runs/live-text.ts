"use client";

import { useCallback, useSyncExternalStore } from "react";
import type { CommittedEvent } from "@/server/engine/events";
import type { TokenDelta } from "@/server/streams/live-tokens";
import { useEditorStoreApi } from "@/components/editor/store/editor-store-provider";
import type { EditorStore } from "@/components/editor/store/editor-store";

/** What a viewer knows of one node's answer in progress. */
export type LiveText = { callKey: string; text: string };

/** An SSE frame's data as a JSON object, or null: frames come from our server, but a bad one must not break the canvas. */
export function parseFrameObject(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A token frame's data, checked. */
export function parseTokenDelta(data: string): TokenDelta | null {
  const value = parseFrameObject(data);
  if (!value) return null;
  const { nodeId, callKey, offset, text } = value;
  if (typeof nodeId !== "string" || typeof callKey !== "string" || typeof text !== "string") return null;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) return null;
  return { nodeId, callKey, offset, text };
}

/**
 * The text after a delta. Offset 0 is a whole text (the text so far sent on connect, or an
 * empty one when another provider takes over) and replaces what is held. Otherwise the piece
 * goes at its offset; one the text already holds (it came with the text so far too) changes
 * nothing. A piece past the end (one was lost, e.g. across a reconnect) is appended anyway:
 * the committed answer corrects it moments later.
 */
export function mergeLiveText(current: LiveText | undefined, delta: TokenDelta): LiveText {
  if (!current || current.callKey !== delta.callKey || delta.offset === 0) return { callKey: delta.callKey, text: delta.text };
  const held = current.text;
  if (delta.offset > held.length) return { callKey: delta.callKey, text: held + delta.text };
  if (delta.offset + delta.text.length <= held.length) return current;
  return { callKey: delta.callKey, text: held.slice(0, delta.offset) + delta.text };
}

/** Listeners are told at most this often: a fast model must not re-render the canvas per token. */
const NOTIFY_EVERY_MS = 80;

/**
 * The live texts of one run view (one per editor store): deltas in, committed events to end
 * them, and a per-node subscription for the cards and the details panel.
 */
export class LiveTextStore {
  private readonly texts = new Map<string, LiveText>();
  /** Calls whose answer is committed (`nodeId\ncallKey`): a late delta for one is dropped. */
  private readonly committed = new Set<string>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  get(nodeId: string): LiveText | undefined {
    return this.texts.get(nodeId);
  }

  applyDelta(delta: TokenDelta): void {
    if (this.committed.has(`${delta.nodeId}\n${delta.callKey}`)) return;
    const next = mergeLiveText(this.texts.get(delta.nodeId), delta);
    if (next === this.texts.get(delta.nodeId)) return;
    this.texts.set(delta.nodeId, next);
    this.changed(delta.nodeId, false);
  }

  /** A committed answer (or error) replaces the node's live text. */
  applyEvent(event: CommittedEvent): void {
    if (event.type === "llm_response") this.committed.add(`${event.nodeId}\n${event.sentMessages}`);
    if (event.type !== "llm_response" && event.type !== "llm_error" && event.type !== "node_finished") return;
    if (this.texts.delete(event.nodeId)) this.changed(event.nodeId, true);
  }

  clear(): void {
    const nodes = [...this.texts.keys()];
    this.texts.clear();
    for (const nodeId of nodes) this.changed(nodeId, true);
  }

  subscribe(nodeId: string, listener: () => void): () => void {
    let set = this.listeners.get(nodeId);
    if (!set) {
      set = new Set();
      this.listeners.set(nodeId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(nodeId);
    };
  }

  /** Growing text is shown in batches; its end is shown at once (the committed answer takes over). */
  private changed(nodeId: string, now: boolean): void {
    this.dirty.add(nodeId);
    if (now) return this.notify();
    this.timer ??= setTimeout(() => this.notify(), NOTIFY_EVERY_MS);
  }

  private notify(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const nodes = [...this.dirty];
    this.dirty.clear();
    for (const nodeId of nodes) for (const listener of [...(this.listeners.get(nodeId) ?? [])]) listener();
  }
}

const storesByEditor = new WeakMap<EditorStore, LiveTextStore>();

/** The live texts that belong with an editor store (the canvas and panels of one run view). */
export function liveTextStoreOf(editor: EditorStore): LiveTextStore {
  let store = storesByEditor.get(editor);
  if (!store) {
    store = new LiveTextStore();
    storesByEditor.set(editor, store);
  }
  return store;
}

/** The node's answer in progress, or undefined; re-renders only when that node's text changes. */
export function useLiveText(nodeId: string | null): LiveText | undefined {
  const store = liveTextStoreOf(useEditorStoreApi());
  const subscribe = useCallback((listener: () => void) => (nodeId ? store.subscribe(nodeId, listener) : () => undefined), [store, nodeId]);
  return useSyncExternalStore(
    subscribe,
    () => (nodeId ? store.get(nodeId) : undefined),
    () => undefined,
  );
}
