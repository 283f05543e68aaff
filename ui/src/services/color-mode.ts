import { applyColorModeClass, isColorMode, type ColorMode } from "@prefecthq/prefect-ui-library";

const STORAGE_KEY = "prefect-color-mode";

/** The color mode chosen on the settings page (state colors for color-blind users), null for the default. */
export function storedColorMode(): ColorMode | null {
  const stored = localStorage.getItem(STORAGE_KEY);
  let mode: unknown = stored;
  try {
    mode = stored === null ? null : JSON.parse(stored);
  } catch {
    // stored as a bare string
  }
  return isColorMode(mode) ? mode : null;
}

export function chooseColorMode(mode: ColorMode | null): void {
  if (mode === null) localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, JSON.stringify(mode));
  applyColorModeClass(mode);
}

export function applyStoredColorMode(): void {
  applyColorModeClass(storedColorMode());
}
