import { useWorkspaceApi, type BlockDocument } from "@prefecthq/prefect-ui-library";
import { useSubscription } from "@prefecthq/vue-compositions";
import { computed, type ComputedRef, type Ref } from "vue";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A block document by id, read through the filter endpoint: the library's getBlockDocument never
 * settles when the document is missing (its batcher drops the 404), so a page could not tell.
 */
export function useBlockDocument(id: Ref<string>): { block: ComputedRef<BlockDocument | undefined>; missing: ComputedRef<boolean>; refresh: () => void } {
  const api = useWorkspaceApi();
  const read = (blockId: string): Promise<BlockDocument[]> =>
    UUID.test(blockId) ? api.blockDocuments.getBlockDocuments({ blockDocuments: { id: [blockId], isAnonymous: null } }) : Promise.resolve([]);
  const subscription = useSubscription(read, [id]);
  return {
    block: computed(() => subscription.response?.[0]),
    missing: computed(() => subscription.executed && subscription.response?.length === 0),
    refresh: () => subscription.refresh(),
  };
}
