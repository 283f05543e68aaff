/** Who created an object: Prefect's CreatedBy, set from an automation's request headers. */
export interface CreatedBy {
  id: string;
  type: "AUTOMATION";
  display_value: string;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function decodeBase64Utf8(text: string): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** UTF-8 text as base64 (the encoding of the Prefect-Automation-Name header). */
export function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The id without dashes put back in canonical form, as pydantic parses a UUID header. */
function canonicalUuid(id: string): string {
  const hex = id.replaceAll("-", "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Prefect's get_created_by: a request carrying Prefect-Automation-ID (a UUID) and
 * Prefect-Automation-Name (base64 of the name) creates objects "created by" that automation;
 * otherwise (or when the name does not decode to text) by nobody.
 */
export function createdByAutomation(headers: { get(name: string): string | null }): CreatedBy | null {
  const id = headers.get("prefect-automation-id");
  const name = headers.get("prefect-automation-name");
  if (!id || !name || !UUID.test(id)) return null;
  const display = decodeBase64Utf8(name);
  return display ? { id: canonicalUuid(id), type: "AUTOMATION", display_value: display } : null;
}
