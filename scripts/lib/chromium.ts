// The browser Playwright drives in e2e tests. We use Debian's chromium rather than
// `playwright install`, which downloads a browser build and cannot work without network.
import { ensureProgram } from "./apt";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export function ensureChromium(): string {
  return ensureProgram({ program: CHROMIUM_PATH, aptPackage: "chromium", purpose: "the end-to-end tests" });
}
