import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * Markdown written by a model or a workflow's data, rendered for a person to read — safely.
 * The text is untrusted, so:
 * - raw HTML is never interpreted: react-markdown (without rehype-raw) shows it as text, so a
 *   reviewer sees `<script>` literally instead of it vanishing or running;
 * - links keep only http(s) and mailto targets (no `javascript:`, `data:`, relative paths) and
 *   open in a new tab with rel="noopener noreferrer nofollow";
 * - images are not loaded (a remote image would tell its host who is reviewing, and when):
 *   they become a link with their alt text.
 */

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The URL when it is absolute http(s) or mailto; "" (no link) for anything else. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url.trim());
    return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : "";
  } catch {
    return "";
  }
}

const LINK_CLASS = "font-medium text-accent-700 underline decoration-accent-300 underline-offset-2 hover:decoration-accent-600";

const COMPONENTS: Components = {
  a({ href, children }) {
    const target = href ? safeUrl(href) : "";
    if (!target) return <span>{children}</span>;
    return (
      <a href={target} target="_blank" rel="noopener noreferrer nofollow" className={LINK_CLASS}>
        {children}
      </a>
    );
  },
  img({ src, alt }) {
    const target = typeof src === "string" ? safeUrl(src) : "";
    const text = `[image${alt ? `: ${alt}` : ""}]`;
    if (!target) return <span>{text}</span>;
    return (
      <a href={target} target="_blank" rel="noopener noreferrer nofollow" className={LINK_CLASS}>
        {text}
      </a>
    );
  },
};

/** Typography by descendant selectors: one wrapper instead of a styled component per element. */
const BASE =
  "min-w-0 break-words [&_a]:break-all [&>*+*]:mt-2 [&_h1]:font-semibold [&_h2]:font-semibold [&_h3]:font-semibold [&_h4]:font-semibold [&_h5]:font-semibold [&_h6]:font-semibold [&_h1]:text-slate-900 [&_h2]:text-slate-900 [&_h3]:text-slate-900 [&_ul]:list-disc [&_ol]:list-decimal [&_ul]:pl-5 [&_ol]:pl-5 [&_li+li]:mt-0.5 [&_li>ul]:mt-0.5 [&_li>ol]:mt-0.5 [&_blockquote]:border-l-2 [&_blockquote]:border-slate-300 [&_blockquote]:pl-3 [&_blockquote]:text-slate-600 [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 [&_code]:font-mono [&_pre]:overflow-x-auto [&_pre]:rounded-md [&_pre]:border [&_pre]:border-slate-200 [&_pre]:bg-slate-50 [&_pre]:p-2 [&_pre_code]:bg-transparent [&_pre_code]:p-0 [&_table]:block [&_table]:max-w-full [&_table]:overflow-x-auto [&_table]:border-collapse [&_th]:border [&_td]:border [&_th]:border-slate-200 [&_td]:border-slate-200 [&_th]:bg-slate-50 [&_th]:px-2 [&_td]:px-2 [&_th]:py-1 [&_td]:py-1 [&_th]:text-left [&_hr]:border-slate-200 [&_del]:text-slate-500 [&_input]:mr-1";

const SIZES = {
  /** Inside a canvas node card. */
  compact: "text-xs leading-snug [&_h1]:text-sm [&_h2]:text-xs [&_h3]:text-xs [&_code]:text-[11px] [&_pre]:text-[11px]",
  /** In the Inbox, a dialog or the run page's side panel. */
  roomy: "text-sm leading-relaxed [&_h1]:text-base [&_h2]:text-base [&_h3]:text-sm [&_code]:text-xs [&_pre]:text-xs",
} as const;

export type MarkdownSize = keyof typeof SIZES;

export function Markdown({ text, size = "roomy", className = "" }: { text: string; size?: MarkdownSize; className?: string }) {
  return (
    <div className={`${BASE} ${SIZES[size]} ${className}`}>
      <ReactMarkdown remarkPlugins={[remarkGfm]} urlTransform={safeUrl} components={COMPONENTS}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
