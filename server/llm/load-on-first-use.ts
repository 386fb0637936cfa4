/**
 * A package loaded on its first use rather than at import. The model SDKs are: loaded, each
 * holds MiB of a process's memory, which an idle worker (or one whose workspaces never use
 * that provider) need not pay.
 */
export type LoadedOnFirstUse<T> = {
  /** The package, loaded now if it was not yet. */
  load: () => Promise<T>;
  /** The package if it has been loaded: nothing made with it can exist before. */
  loaded: () => T | undefined;
};

export function loadOnFirstUse<T>(importPackage: () => Promise<T>): LoadedOnFirstUse<T> {
  let value: T | undefined;
  return {
    load: async () => (value ??= await importPackage()),
    loaded: () => value,
  };
}
