/**
 * The colour theme: "system" follows the operating system's setting (prefers-color-scheme),
 * "light" and "dark" override it. The choice is remembered per browser in localStorage; the
 * page shows it as the `dark` class on <html> (see app/globals.css) and `data-theme` (the
 * choice itself, for the toggle).
 */
export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

export const THEME_STORAGE_KEY = "agentflow.theme";
/** Fired on window when the toggle changes the choice, so every toggle on the page follows. */
export const THEME_CHANGE_EVENT = "agentflow:theme";

const DARK_QUERY = "(prefers-color-scheme: dark)";

/**
 * Runs inline in <head> before the body is parsed, so the first paint already has the right
 * theme (no white flash on a dark system). Self-contained on purpose: it is sent as a string.
 * It also follows a system switch while the choice is "system", on every page, with or without
 * the toggle mounted.
 */
export const THEME_BOOT_SCRIPT = `(function () {
  var key = ${JSON.stringify(THEME_STORAGE_KEY)};
  var query = window.matchMedia(${JSON.stringify(DARK_QUERY)});
  function choice() {
    try {
      var stored = window.localStorage.getItem(key);
      return stored === "light" || stored === "dark" ? stored : "system";
    } catch (error) {
      return "system";
    }
  }
  function apply(given) {
    var chosen = given === "light" || given === "dark" || given === "system" ? given : choice();
    var root = document.documentElement;
    root.classList.toggle("dark", chosen === "dark" || (chosen === "system" && query.matches));
    root.dataset.theme = chosen;
  }
  apply();
  query.addEventListener("change", function () { apply(); });
  window.addEventListener("storage", function (event) { if (event.key === key) apply(); });
  window.addEventListener(${JSON.stringify(THEME_CHANGE_EVENT)}, function (event) { apply(event.detail); });
})();`;

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === "string" && (THEME_CHOICES as readonly string[]).includes(value);
}

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
    return isThemeChoice(stored) ? stored : "system";
  } catch {
    return "system";
  }
}

/** Stores the choice and lets the boot script's listener apply it (one place decides the class). */
export function saveThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === "system") window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Storage refused (private mode, quota): the choice still applies to this page.
  }
  window.dispatchEvent(new CustomEvent(THEME_CHANGE_EVENT, { detail: choice }));
}
