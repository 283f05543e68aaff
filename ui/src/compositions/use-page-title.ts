import { computed, type MaybeRefOrGetter, toValue, watchEffect } from "vue";

/** Sets the document's title to "<page> • Prefect Server" while the page is shown. */
export function usePageTitle(title?: MaybeRefOrGetter<string | undefined>): void {
  const full = computed(() => {
    const page = toValue(title);
    return page ? `${page} • Prefect Server` : "Prefect Server";
  });
  watchEffect(() => {
    document.title = full.value;
  });
}
