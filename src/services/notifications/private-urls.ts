/**
 * Prefect's validate_restricted_url for blocks with `allow_private_urls: false`: only http(s),
 * and no loopback, private, link-local or unspecified address. Workers cannot resolve DNS before
 * connecting, so only literal addresses and `localhost` are recognised. Returns the error or null.
 */
export function restrictedUrlError(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `'${url}' is not a valid URL.`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `'${url}' is not a valid URL.  Only HTTP and HTTPS URLs are allowed.`;
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (!host) return `'${url}' is not a valid URL.`;
  if (host === "localhost" || host.endsWith(".localhost") || isPrivateIp(host)) return `'${url}' is not a valid URL.  It resolves to the private address ${host}.`;
  return null;
}

function isPrivateIp(host: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (!host.includes(":")) return false;
  return host === "::1" || host === "::" || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith("::ffff:");
}
