import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown, safeUrl } from "./markdown";

const render = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

/** Every href/src attribute value in the rendered HTML. */
const urlsOf = (html: string) => [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((match) => match[1]);

describe("Markdown", () => {
  it("renders headings, lists, code blocks, tables and emphasis", () => {
    const html = render(
      [
        "# Release notes",
        "",
        "Some **bold** and `inline` text.",
        "",
        "- first",
        "- second",
        "",
        "1. one",
        "",
        "```js",
        "const a = 1 < 2;",
        "```",
        "",
        "| a | b |",
        "| - | - |",
        "| 1 | 2 |",
      ].join("\n"),
    );
    expect(html).toContain("<h1>Release notes</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<code>inline</code>");
    expect(html).toMatch(/<ul>\s*<li>first<\/li>\s*<li>second<\/li>\s*<\/ul>/);
    expect(html).toContain("<ol>");
    expect(html).toContain('<pre><code class="language-js">const a = 1 &lt; 2;\n</code></pre>');
    expect(html).toMatch(/<table>.*<th>a<\/th>.*<td>2<\/td>.*<\/table>/s);
  });

  it("never renders raw HTML: tags are shown as text", () => {
    const html = render('Hello <script>alert("x")</script> <img src=x onerror="alert(1)"> <b onclick="x()">bold</b>\n\n<iframe src="https://evil.example"></iframe>');
    expect(html).not.toMatch(/<script|<img|<iframe|<b[\s>]/i);
    // No real element carries an event handler (escaped text may mention one).
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("&lt;iframe");
  });

  it("links only to http(s) and mailto, opened without an opener or referrer", () => {
    const html = render(
      [
        "[web](https://example.com/a?b=1) [mail](mailto:ada@example.com) [plain](http://example.com)",
        "[js](javascript:alert(1)) [js2](JAVASCRIPT:alert(1)) [spaced]( javascript:alert(1)) [entity](jav&#x61;script:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox) [rel](/settings) [anchor](#top) [proto](//evil.example/x)",
        "<javascript:alert(1)> <https://auto.example> www.gfm.example",
        "",
        "[ref]: javascript:alert(1)",
        "[uses ref][ref]",
      ].join("\n"),
    );
    expect(urlsOf(html).sort()).toEqual(
      ["http://example.com/", "http://www.gfm.example/", "https://auto.example/", "https://example.com/a?b=1", "mailto:ada@example.com"].sort(),
    );
    expect(html).not.toMatch(/(?:href|src)="\s*(?:javascript|vbscript|data):/i);
    const anchors = [...html.matchAll(/<a [^>]*>/g)].map((match) => match[0]);
    expect(anchors).toHaveLength(5);
    for (const anchor of anchors) {
      expect(anchor).toContain('rel="noopener noreferrer nofollow"');
      expect(anchor).toContain('target="_blank"');
    }
    // The text of a refused link stays readable.
    expect(html).toContain("<span>js</span>");
  });

  it("does not load images; a safe one becomes a link with its alt text", () => {
    const html = render("![chart](https://img.example/c.png) ![bad](javascript:alert(1))");
    expect(html).not.toContain("<img");
    expect(html).toContain('href="https://img.example/c.png"');
    expect(html).toContain("[image: chart]");
    expect(html).toContain("<span>[image: bad]</span>");
  });

  it("keeps only absolute http(s) and mailto URLs", () => {
    expect(safeUrl("https://example.com")).toBe("https://example.com/");
    expect(safeUrl(" javascript:alert(1)")).toBe("");
    expect(safeUrl("java\tscript:alert(1)")).toBe("");
    expect(safeUrl("/relative")).toBe("");
    expect(safeUrl("data:text/html,x")).toBe("");
    expect(safeUrl("mailto:a@b.example")).toBe("mailto:a@b.example");
  });
});
