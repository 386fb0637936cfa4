import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The theme's colours as the browser gets them, for the contrast tests: Tailwind's palette, the
 * app's @theme on top (light), and the `html.dark` remapping on top of that (dark), read from
 * the CSS files themselves so that a change of a token is checked. Node-only (reads files).
 */
export type ThemeColours = Map<string, string>;

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");

function colourTokens(css: string): ThemeColours {
  const tokens: ThemeColours = new Map();
  for (const match of css.matchAll(/--color-([a-z]+(?:-\d+)?):\s*([^;]+);/g)) tokens.set(match[1]!, match[2]!.trim());
  return tokens;
}

function block(css: string, opening: RegExp): string {
  const start = css.search(opening);
  if (start < 0) throw new Error(`no ${opening} block in app/globals.css`);
  let depth = 0;
  for (let index = css.indexOf("{", start); index < css.length; index++) {
    if (css[index] === "{") depth++;
    else if (css[index] === "}" && --depth === 0) return css.slice(start, index + 1);
  }
  throw new Error(`unclosed ${opening} block`);
}

export function readThemes(): { light: ThemeColours; dark: ThemeColours } {
  const tailwindTheme = read("../node_modules/tailwindcss/theme.css");
  const appCss = read("../app/globals.css");
  const light = new Map([...colourTokens(tailwindTheme), ...colourTokens(block(appCss, /@theme\s*\{/))]);
  const dark = new Map([...light, ...colourTokens(block(appCss, /html\.dark\s*\{/))]);
  return { light, dark };
}

/** A token's value (`slate-500` → its oklch), or a clear error naming the missing token. */
export function colour(theme: ThemeColours, token: string): string {
  const value = theme.get(token);
  if (!value) throw new Error(`--color-${token} is not defined`);
  return value;
}
