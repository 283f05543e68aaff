import { and, desc, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../client";
import { countWhere, selectPieces } from "../page";
import { mapPieces, type Pieces } from "../../lib/pieces";
import { readOne } from "../rows";
import { fromExcluded } from "../upsert";
import { artifact, artifactCollection } from "../schema";
import { artifactCollectionWhere, artifactWhere, type ArtifactFilters } from "../filters/artifacts";
import { artifactOrder } from "../sorts";
import { uuid4 } from "../../lib/ids";
import { isoNow } from "../../lib/time";
import { serverEventWrite, type ServerEvent, type EventSink } from "./event-outbox";
import type { Batch, Statement } from "../batch";
import type { Artifact, ArtifactCollection, ArtifactCollectionSort, ArtifactSort } from "../../schemas/prefect.gen";

export type ArtifactRow = typeof artifact.$inferSelect;
export type ArtifactCollectionRow = typeof artifactCollection.$inferSelect;

export interface ArtifactInput {
  key: string | null;
  type: string | null;
  description: string | null;
  data: unknown;
  metadata_: Record<string, string> | null;
  flow_run_id: string | null;
  task_run_id: string | null;
}

export type ArtifactPatch = Partial<Pick<ArtifactInput, "data" | "description" | "metadata_">>;

/** The fields an artifact and its key's collection row share (the collection copies its latest). */
function contentOf(row: ArtifactRow | ArtifactCollectionRow) {
  return {
    type: row.type ?? null,
    description: row.description ?? null,
    data: row.data ?? null,
    metadata_: row.metadata_ ?? null,
    flow_run_id: row.flow_run_id ?? null,
    task_run_id: row.task_run_id ?? null,
  };
}

export function toArtifact(row: ArtifactRow): Artifact {
  return { id: row.id, created: row.created, updated: row.updated, key: row.key ?? null, ...contentOf(row) };
}

export function toArtifactCollection(row: ArtifactCollectionRow): ArtifactCollection {
  return { id: row.id, created: row.created, updated: row.updated, key: row.key, latest_id: row.latest_id, ...contentOf(row) };
}

/** `prefect.artifact-collection.{created,updated,deleted}`, as Prefect's lifecycle events. */
function collectionEvent(action: "created" | "updated" | "deleted", c: ArtifactCollectionRow): ServerEvent {
  const related: Record<string, string>[] = [
    { "prefect.resource.id": `prefect.artifact.${c.latest_id}`, "prefect.resource.role": "latest" },
  ];
  if (c.flow_run_id) related.push({ "prefect.resource.id": `prefect.flow-run.${c.flow_run_id}`, "prefect.resource.role": "flow-run" });
  if (c.task_run_id) related.push({ "prefect.resource.id": `prefect.task-run.${c.task_run_id}`, "prefect.resource.role": "task-run" });
  return {
    event: `prefect.artifact-collection.${action}`,
    resource: { "prefect.resource.id": `prefect.artifact-collection.${c.id}`, "prefect.resource.name": c.key },
    related,
    payload: { key: c.key, type: c.type ?? null, data: c.data ?? null, description: c.description ?? null },
  };
}

const batch = (db: Db, statements: Statement[]) => db.batch(statements as unknown as Batch);

/**
 * Stores the artifact; a keyed one also becomes its key's latest (the collection row is created,
 * or repointed with all of this artifact's fields), then the collection's created/updated event.
 */
export async function createArtifact(db: Db, input: ArtifactInput, sink: EventSink): Promise<Artifact> {
  const now = isoNow();
  const row: ArtifactRow = { id: uuid4(), created: now, updated: now, ...input, data: input.data ?? null };
  const insert = db.insert(artifact).values(row);
  if (row.key === null) {
    await insert;
    return toArtifact(row);
  }
  const collectionId = uuid4();
  const fields = {
    type: row.type,
    description: row.description,
    data: row.data,
    metadata_: row.metadata_,
    flow_run_id: row.flow_run_id,
    task_run_id: row.task_run_id,
  };
  const [collections] = (await batch(db, [
    db
      .insert(artifactCollection)
      .values({ id: collectionId, created: now, updated: now, key: row.key, latest_id: row.id, ...fields })
      .onConflictDoUpdate({
        target: artifactCollection.key,
        set: {
          latest_id: row.id,
          updated: now,
          ...fromExcluded("type", "description", "data", "metadata_", "flow_run_id", "task_run_id"),
        },
      })
      .returning(),
    insert,
  ])) as unknown as [ArtifactCollectionRow[]];
  const collection = collections[0];
  if (collection) await sink.emit([collectionEvent(collection.id === collectionId ? "created" : "updated", collection)]);
  return toArtifact(row);
}

export const readArtifact = (db: Db, id: string): Promise<Artifact | undefined> => readOne(db, artifact, eq(artifact.id, id), toArtifact);

/**
 * The latest artifact of a key, read from its collection row and answered as an Artifact, as
 * Prefect does (so its `id` is the collection's).
 */
export async function readLatestArtifact(db: Db, key: string): Promise<Artifact | undefined> {
  return readOne(db, artifactCollection, eq(artifactCollection.key, key), (row) => {
    const { latest_id: _latest, ...rest } = toArtifactCollection(row);
    return rest;
  });
}

export async function filterArtifacts(db: Db, f: ArtifactFilters, sort: ArtifactSort, limit: number, offset: number): Promise<Pieces<Artifact>> {
  const rows = await selectPieces(db, artifact, { where: artifactWhere(f), orderBy: artifactOrder(sort, artifact), limit, offset });
  return mapPieces(rows, (piece) => piece.map(toArtifact));
}

export const countArtifacts = (db: Db, f: ArtifactFilters): Promise<number> => countWhere(db, artifact, artifactWhere(f));

export async function filterLatestArtifacts(db: Db, f: ArtifactFilters, sort: ArtifactCollectionSort, limit: number, offset: number): Promise<Pieces<ArtifactCollection>> {
  const page = { where: artifactCollectionWhere(f), orderBy: artifactOrder(sort, artifactCollection), limit, offset };
  return mapPieces(await selectPieces(db, artifactCollection, page), (piece) => piece.map(toArtifactCollection));
}

export const countLatestArtifacts = (db: Db, f: ArtifactFilters): Promise<number> => countWhere(db, artifactCollection, artifactCollectionWhere(f));

/**
 * Updates the artifact and, when it is its key's latest, the collection row too (Prefect's two
 * UPDATEs); false when neither matched.
 */
export async function updateArtifact(db: Db, id: string, patch: ArtifactPatch): Promise<boolean> {
  const now = isoNow();
  const set: Partial<Pick<ArtifactRow, "updated" | "data" | "description" | "metadata_">> = { updated: now };
  if (patch.data !== undefined) set.data = patch.data ?? null;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.metadata_ !== undefined) set.metadata_ = patch.metadata_;
  const [a, c] = (await batch(db, [
    db.update(artifact).set(set).where(eq(artifact.id, id)).returning({ id: artifact.id }),
    db.update(artifactCollection).set(set).where(eq(artifactCollection.latest_id, id)).returning({ id: artifactCollection.id }),
  ])) as unknown as [unknown[], unknown[]];
  return a.length + c.length > 0;
}

/**
 * Deletes an artifact. When it is its key's latest, the collection falls back to the newest
 * remaining artifact of the key (taking that artifact's fields and timestamps), or is deleted
 * with it when none is left, each with its collection event.
 */
export async function deleteArtifact(db: Db, id: string, sink: EventSink): Promise<boolean> {
  const next = db
    .select()
    .from(artifact)
    .where(and(eq(artifact.key, sql`(SELECT ${artifact.key} FROM ${artifact} WHERE ${artifact.id} = ${id})`), ne(artifact.id, id)))
    .orderBy(desc(artifact.created), desc(sql`${artifact}.rowid`))
    .limit(1);
  const [found, collections, nexts] = (await batch(db, [
    db.select({ id: artifact.id }).from(artifact).where(eq(artifact.id, id)),
    db.select().from(artifactCollection).where(eq(artifactCollection.latest_id, id)),
    next,
  ])) as unknown as [{ id: string }[], ArtifactCollectionRow[], ArtifactRow[]];
  if (!found.length) return false;

  const statements: Statement[] = [];
  const events: ServerEvent[] = [];
  const collection = collections[0];
  if (collection) {
    const successor = nexts[0];
    if (successor) {
      const moved = {
        latest_id: successor.id,
        data: successor.data ?? null,
        description: successor.description,
        type: successor.type,
        created: successor.created,
        updated: successor.updated,
        flow_run_id: successor.flow_run_id,
        task_run_id: successor.task_run_id,
        metadata_: successor.metadata_,
      };
      statements.push(db.update(artifactCollection).set(moved).where(eq(artifactCollection.id, collection.id)));
      events.push(collectionEvent("updated", { ...collection, ...moved }));
    } else {
      events.push(collectionEvent("deleted", collection));
      statements.push(db.delete(artifactCollection).where(eq(artifactCollection.id, collection.id)));
    }
  }
  const eventWrite = events.length ? serverEventWrite(db, sink, events) : null;
  if (eventWrite) statements.push(eventWrite.statement);
  statements.push(db.delete(artifact).where(eq(artifact.id, id)).returning({ id: artifact.id }));
  const results = await batch(db, statements);
  eventWrite?.committed();
  return (results[results.length - 1] as unknown[]).length > 0;
}
