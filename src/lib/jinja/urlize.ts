/**
 * jinja2's `urlize` filter (3.1.6): the text HTML-escaped, its http(s)://, www., bare-domain and
 * e-mail words turned into links (rel="noopener" by default, Jinja's urlize.rel policy).
 */
import { PyException } from "./errors";
import { escapeHtml, iterate, Markup, pyStr } from "./values";

const W = "[\\p{L}\\p{N}_]";
const HTTP = new RegExp(
  "^(" +
    `(https?://|www\\.)((${W.replace("]", "%-]")}+\\.)+)?([a-z]{2,63}|xn--${W.replace("]", "%]")}{2,59})` +
    `|(${W.replace("]", "%-]")}{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)` +
    "|(https?://)((\\p{Nd}{1,3}(\\.\\p{Nd}{1,3}){3})|(\\[([\\da-f]{0,4}:){2}([\\da-f]{0,4}:?){1,6}\\]))" +
    ")(?::\\p{Nd}{1,5})?(?:[/?#]\\S*)?$",
  "iu",
);
const EMAIL = new RegExp(`^\\S+@${W}[${W.slice(1, -1)}.-]*\\.${W}+$`, "u");
const SCHEME = /^([\p{L}\p{N}_.+-]{2,}:(\/){0,2})$/u;

const escapeText = (v: unknown) => (v instanceof Markup ? v.text : escapeHtml(pyStr(v)));

export function urlize(value: unknown, trimUrlLimit: unknown, nofollow: unknown, target: unknown, rel: unknown, extraSchemes: unknown): string {
  const relParts = new Set(pyStr(rel ?? "").split(/\s+/).filter(Boolean));
  if (nofollow) relParts.add("nofollow");
  relParts.add("noopener");
  const relText = [...relParts].sort().join(" ");
  const schemes = extraSchemes === null || extraSchemes === undefined ? [] : iterate(extraSchemes).map(pyStr);
  for (const s of schemes) if (!SCHEME.test(s)) throw new PyException("FilterArgumentError", `'${s}' is not a valid URI scheme prefix.`);
  const limit = trimUrlLimit === null || trimUrlLimit === undefined ? null : Number(trimUrlLimit);
  const trim = (x: string) => (limit !== null && [...x].length > limit ? `${[...x].slice(0, limit).join("")}...` : x);
  const relAttr = relText ? ` rel="${escapeHtml(relText)}"` : "";
  const targetAttr = target !== null && target !== undefined && pyStr(target) ? ` target="${escapeHtml(pyStr(target))}"` : "";

  const words = escapeText(value).split(/(\s+)/u);
  return words
    .map((word) => {
      let head = "";
      let middle = word;
      let tail = "";
      const lead = /^([(<]|&lt;)+/.exec(middle);
      if (lead) {
        head = lead[0];
        middle = middle.slice(lead[0].length);
      }
      if (/([)>.,\n]|&gt;)$/.test(middle)) {
        const trail = /([)>.,\n]|&gt;)+$/.exec(middle);
        if (trail) {
          tail = trail[0];
          middle = middle.slice(0, trail.index);
        }
      }
      for (const [open, close] of [["(", ")"], ["<", ">"], ["&lt;", "&gt;"]]) {
        const opens = middle.split(open).length - 1;
        if (opens <= middle.split(close).length - 1) continue;
        for (let i = 0, n = Math.min(opens, tail.split(close).length - 1); i < n; i++) {
          const end = tail.indexOf(close) + close.length;
          middle += tail.slice(0, end);
          tail = tail.slice(end);
        }
      }
      if (HTTP.test(middle)) {
        const href = middle.startsWith("https://") || middle.startsWith("http://") ? middle : `https://${middle}`;
        middle = `<a href="${href}"${relAttr}${targetAttr}>${trim(middle)}</a>`;
      } else if (middle.startsWith("mailto:") && EMAIL.test(middle.slice(7))) {
        middle = `<a href="${middle}">${middle.slice(7)}</a>`;
      } else if (middle.includes("@") && !middle.startsWith("www.") && !middle.startsWith("@") && !middle.includes(":") && EMAIL.test(middle)) {
        middle = `<a href="mailto:${middle}">${middle}</a>`;
      } else {
        for (const scheme of schemes) if (middle !== scheme && middle.startsWith(scheme)) middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`;
      }
      return `${head}${middle}${tail}`;
    })
    .join("");
}
