import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { selectPage } from "../page";
import { deleteWhere, readOne } from "../rows";
import { savedSearch } from "../schema";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import type { SavedSearch, SavedSearchFilter } from "../../schemas/prefect.gen";

export type SavedSearchRow = typeof savedSearch.$inferSelect;

export function toSavedSearch(row: SavedSearchRow): SavedSearch {
  return { id: row.id, created: row.created, updated: row.updated, name: row.name, filters: row.filters ?? [] };
}

/**
 * Prefect's upsert by name: a new saved search, or the existing one with its filters replaced
 * (its id, created and updated stay, as Prefect's ON CONFLICT sets only `filters`).
 */
export async function upsertSavedSearch(
  db: Db,
  input: { name: string; filters: SavedSearchFilter[] },
): Promise<{ savedSearch: SavedSearch; created: boolean }> {
  const now = isoNow();
  const id = uuid4();
  const [row] = await db
    .insert(savedSearch)
    .values({ id, created: now, updated: now, name: input.name, filters: input.filters })
    .onConflictDoUpdate({ target: savedSearch.name, set: { filters: sql`excluded.filters` } })
    .returning();
  return { savedSearch: toSavedSearch(row), created: row.id === id };
}

export const readSavedSearch = (db: Db, id: string): Promise<SavedSearch | undefined> => readOne(db, savedSearch, eq(savedSearch.id, id), toSavedSearch);

/** Ordered by name, as Prefect lists them. */
export async function filterSavedSearches(db: Db, limit: number, offset: number): Promise<SavedSearch[]> {
  const orderBy = [asc(savedSearch.name), asc(sql`${savedSearch}.rowid`)];
  return (await selectPage(db, savedSearch, { where: undefined, orderBy, limit, offset })).map(toSavedSearch);
}

export const deleteSavedSearch = (db: Db, id: string): Promise<boolean> => deleteWhere(db, savedSearch, eq(savedSearch.id, id));
