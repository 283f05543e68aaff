/**
 * The `format` checks of Python's jsonschema as Prefect's environment has them (rfc3339-validator,
 * idna and jsonpointer installed; no rfc3987 or fqdn, so `uri` and `hostname` are not checked).
 */
import { pythonRegex } from "../python";

export const FORMAT_CHECKS: Record<string, (v: string) => boolean> = {
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && validDate(v),
  "date-time": (v) => isDateTime(v.toUpperCase()),
  time: (v) => isDateTime(`1970-01-01T${v}`.toUpperCase()),
  uuid: isUuid,
  email: (v) => v.includes("@"),
  "idn-email": (v) => v.includes("@"),
  ipv4: isIpv4,
  ipv6: isIpv6,
  "idn-hostname": isIdnHostname,
  "json-pointer": isJsonPointer,
  "relative-json-pointer": isRelativeJsonPointer,
  regex: (v) => pythonRegex(v) !== null,
};

function validDate(v: string): boolean {
  const [y, m, d] = v.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return m >= 1 && m <= 12 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** rfc3339-validator's check (its `$` lets one final newline through, as Python's does). */
function isDateTime(v: string): boolean {
  const m = /^(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0123]):(?:[0-5]\d):(?:[0-5]\d)(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0123]):[0-5]\d)\n?$/.exec(v);
  return !!m && validDate(`${m[1]}-${m[2]}-${m[3]}`);
}

/** Python's UUID() takes braces, a `urn:uuid:` prefix and stray hyphens; jsonschema then wants hyphens at 8, 13, 18 and 23. */
function isUuid(v: string): boolean {
  const hex = v.replace(/urn:/g, "").replace(/uuid:/g, "").replace(/^[{}]+|[{}]+$/g, "").replace(/-/g, "");
  return /^[0-9a-fA-F]{32}$/.test(hex) && [8, 13, 18, 23].every((i) => v[i] === "-");
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isIpv4(v: string): boolean {
  const parts = v.split(".");
  return parts.length === 4 && parts.every((p) => OCTET.test(p));
}

/** Python's ipaddress.IPv6Address, with no scope id. */
function isIpv6(v: string): boolean {
  if (v.includes("%")) return false;
  const halves = v.split("::");
  if (halves.length > 2) return false;
  const groups = (text: string) => (text === "" ? [] : text.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...head, ...tail];
  let count = all.length;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes(".")) {
    if (!isIpv4(last)) return false;
    all.pop();
    count += 1;
  }
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? count < 8 : count === 8;
}

/** What idna.encode refuses in a host name, for the common cases: empty or long labels, hyphens at the ends or in places 3–4, characters other than letters, digits, marks and hyphens. */
function isIdnHostname(v: string): boolean {
  const labels = v.endsWith(".") ? v.slice(0, -1).split(".") : v.split(".");
  if (!v || v.length > 253) return false;
  return labels.every(
    (label) =>
      label.length > 0 &&
      label.length <= 63 &&
      !label.startsWith("-") &&
      !label.endsWith("-") &&
      label.slice(2, 4) !== "--" &&
      /^[\p{L}\p{N}\p{M}-]+$/u.test(label),
  );
}

/** jsonpointer's JsonPointer(): empty, or `/`-separated parts whose `~` escapes are ~0 and ~1. */
function isJsonPointer(v: string): boolean {
  return v === "" || (v.startsWith("/") && !/~(?![01])/.test(v));
}

function isRelativeJsonPointer(v: string): boolean {
  const m = /^(0|[1-9]\d*)(.*)$/s.exec(v);
  return !!m && (m[2] === "#" || isJsonPointer(m[2]));
}
