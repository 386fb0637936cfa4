/**
 * WCAG 2 contrast between CSS colours as the theme writes them (`oklch(…)` or hex), so the
 * theme's text/background pairs can be checked in a unit test (lib/contrast.test.ts).
 */

type Rgb = { r: number; g: number; b: number };

/** Linear-light sRGB from OKLCH (Björn Ottosson's OKLab matrices), clipped to the sRGB gamut. */
function oklchToLinearSrgb(lightness: number, chroma: number, hueDegrees: number): Rgb {
  const hue = (hueDegrees * Math.PI) / 180;
  const a = chroma * Math.cos(hue);
  const b = chroma * Math.sin(hue);
  const l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (lightness - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clip = (value: number) => Math.min(1, Math.max(0, value));
  return {
    r: clip(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    g: clip(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    b: clip(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s),
  };
}

function srgbChannelToLinear(channel: number): number {
  return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
}

function parseColour(css: string): Rgb {
  const value = css.trim().toLowerCase();
  const oklch = /^oklch\(\s*([\d.]+)(%?)\s+([\d.]+)\s+([\d.]+)\s*\)$/.exec(value);
  if (oklch) {
    const lightness = Number(oklch[1]) / (oklch[2] ? 100 : 1);
    return oklchToLinearSrgb(lightness, Number(oklch[3]), Number(oklch[4]));
  }
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(value);
  if (hex) {
    const digits = hex[1]!.length === 3 ? [...hex[1]!].map((digit) => digit + digit).join("") : hex[1]!;
    const channel = (index: number) => srgbChannelToLinear(parseInt(digits.slice(index, index + 2), 16) / 255);
    return { r: channel(0), g: channel(2), b: channel(4) };
  }
  throw new Error(`Not a colour this check reads: ${css}`);
}

export function relativeLuminance(css: string): number {
  const { r, g, b } = parseColour(css);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** 1 (same) to 21 (black on white). WCAG AA asks 4.5 for body text, 3 for large text and UI parts. */
export function contrastRatio(foreground: string, background: string): number {
  const [lighter, darker] = [relativeLuminance(foreground), relativeLuminance(background)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}
