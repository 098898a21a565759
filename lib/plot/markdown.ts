/**
 * A tiny Markdown-to-HTML converter for report text. Everything is HTML-escaped first (raw HTML in
 * the source shows as text), then this subset is formatted:
 *
 * - blocks: `#`…`######` headings, paragraphs (separated by blank lines), `-`/`*`/`+` and `1.`
 *   lists (one level), fenced code blocks (```` ``` ````, optional language), pipe tables with a
 *   `|---|:--:|` separator row, `---` rules, `>` block quotes (their content formatted as
 *   Markdown);
 * - inline: `` `code` ``, `**bold**`, `*italic*` / `_italic_`, `[text](url)` links (http, https,
 *   mailto, relative or `#` targets only).
 *
 * @module
 */

import { escapeHtml } from "./html.ts";

/**
 * Inline formatting of one line of (unescaped) Markdown text.
 *
 * @example
 * ```ts
 * import { markdownInline } from "./markdown.ts";
 * markdownInline("**S_frac** of `g` < 1"); // "<strong>S_frac</strong> of <code>g</code> &lt; 1"
 * ```
 */
export function markdownInline(text: string): string {
  const slots: string[] = [];
  const hold = (html: string) => `\uE000${slots.push(html) - 1}\uE001`; // private-use marks
  let s = text.replace(
    /`([^`]+)`/g,
    (_m, code: string) => hold(`<code>${escapeHtml(code)}</code>`),
  );
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (m, label: string, url: string) => {
    const safe = /^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(\/|$|#|\?))/i.test(url) &&
      !/^\s*(javascript|data|vbscript):/i.test(url);
    if (!safe) return m;
    return hold(`<a href="${escapeHtml(url)}">${formatEmphasis(escapeHtml(label))}</a>`);
  });
  s = formatEmphasis(escapeHtml(s));
  return s.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => slots[Number(i)]);
}

function formatEmphasis(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?!\w)/g, "$1<em>$2</em>")
    .replace(/(^|[^\w])_(?=\S)([^_]+?)(?<=\S)_(?!\w)/g, "$1<em>$2</em>");
}

function splitRow(line: string): string[] {
  let t = line.trim();
  if (t.startsWith("|")) t = t.slice(1);
  if (t.endsWith("|") && !t.endsWith("\\|")) t = t.slice(0, -1);
  return t.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const LIST_ITEM = /^\s*([-*+]|\d+\.)\s+(.*)$/;

/**
 * Converts a Markdown text (module doc subset) to HTML.
 *
 * @example
 * ```ts
 * import { markdownToHtml } from "./markdown.ts";
 * markdownToHtml("# Results\n\nS_frac is *high*.\n\n- actor\n- critic");
 * // "<h1>Results</h1>\n<p>S_frac is <em>high</em>.</p>\n<ul><li>actor</li><li>critic</li></ul>"
 * ```
 */
export function markdownToHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = /^\s*```\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```\s*$/.test(lines[i])) body.push(lines[i++]);
      i++; // closing fence (or end of text)
      const cls = fence[1] ? ` class="language-${escapeHtml(fence[1])}"` : "";
      out.push(`<pre><code${cls}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^\s*(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      out.push(`<h${level}>${markdownInline(heading[2])}</h${level}>`);
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) {
        quoted.push(lines[i++].replace(/^\s*>\s?/, ""));
      }
      out.push(`<blockquote>${markdownToHtml(quoted.join("\n"))}</blockquote>`);
      continue;
    }
    if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1])) {
      const header = splitRow(line);
      const aligns = splitRow(lines[i + 1]).map((c) =>
        c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : null
      );
      const cell = (tag: string, text: string, j: number) =>
        `<${tag}${aligns[j] ? ` style="text-align:${aligns[j]}"` : ""}>${
          markdownInline(text)
        }</${tag}>`;
      const rows: string[] = [];
      i += 2;
      while (i < lines.length && lines[i].trim() !== "" && lines[i].includes("|")) {
        const cells = splitRow(lines[i++]);
        rows.push(`<tr>${header.map((_, j) => cell("td", cells[j] ?? "", j)).join("")}</tr>`);
      }
      out.push(
        `<table><thead><tr>${header.map((h, j) => cell("th", h, j)).join("")}</tr></thead>` +
          `<tbody>${rows.join("")}</tbody></table>`,
      );
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const ordered = /\d/.test(item[1]);
      const items: string[] = [];
      while (i < lines.length) {
        const m = LIST_ITEM.exec(lines[i]);
        if (m && /\d/.test(m[1]) === ordered) {
          items.push(m[2]);
          i++;
        } else if (!m && lines[i].trim() !== "" && /^\s+/.test(lines[i]) && items.length > 0) {
          items[items.length - 1] += " " + lines[i].trim(); // continuation line
          i++;
        } else break;
      }
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>${items.map((t) => `<li>${markdownInline(t)}</li>`).join("")}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length && lines[i].trim() !== "" && !/^\s*(```|#{1,6}\s|>)/.test(lines[i]) &&
      !LIST_ITEM.test(lines[i]) &&
      !(lines[i].includes("|") && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1]))
    ) {
      para.push(lines[i++].trim());
    }
    if (para.length === 0) { // a line no block rule consumed (cannot normally happen)
      para.push(lines[i++].trim());
    }
    out.push(`<p>${markdownInline(para.join(" "))}</p>`);
  }
  return out.join("\n");
}
