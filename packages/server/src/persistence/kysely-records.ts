/**
 * The records of the CatalogRepository that are not the catalog tree itself: warehouse secrets and signing keys,
 * stage-created tables, idempotency keys and metrics reports (kysely-repository.ts extends this with warehouses,
 * namespaces and objects). Same portable SQL subset as there.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { IdempotencyRecord, MetricsReportRecord, SigningKeyRecord, StagedTableRecord } from '../catalog/ports/index.js';
import { type CatalogDatabase, decodeNamespace, encodeNamespace } from './schema.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { appendOutboxEvents } from './kysely-outbox.js';
import type { DroppedNamespaceRecord, DroppedObjectRecord } from '../catalog/ports/maintenance.js';
import { moveNamespaceToDropped, moveToDropped } from './kysely-soft-drop.js';

export const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

export abstract class KyselyRecords {
  constructor(protected readonly db: Kysely<CatalogDatabase>) {}

  /** Moves a live object to the dropped objects, in the caller's transaction (kysely-soft-drop.ts); outside one, in a transaction of its own. */
  softDropObject(record: DroppedObjectRecord): Promise<boolean> {
    return this.db.isTransaction ? moveToDropped(this.db, record) : this.db.transaction().execute((trx) => moveToDropped(trx, record));
  }

  /** Moves a live namespace to the dropped namespaces, in the caller's transaction (kysely-soft-drop.ts, migration 0021). */
  softDropNamespace(record: DroppedNamespaceRecord): Promise<boolean> {
    return this.db.isTransaction ? moveNamespaceToDropped(this.db, record) : this.db.transaction().execute((trx) => moveNamespaceToDropped(trx, record));
  }

  /** In the caller's transaction (kysely-outbox.ts); outside one, in a transaction of its own. */
  appendEvents(events: readonly OutboxEventInput[]): Promise<void> {
    return this.db.isTransaction ? appendOutboxEvents(this.db, events) : this.db.transaction().execute((trx) => appendOutboxEvents(trx, events));
  }

  async putSecret(id: string, ciphertext: string, createdAtMs: number): Promise<void> {
    await this.db.insertInto('secrets').values({ id, ciphertext, created_at: createdAtMs }).execute();
  }

  async getSecret(id: string): Promise<string | undefined> {
    return (await this.db.selectFrom('secrets').select('ciphertext').where('id', '=', id).executeTakeFirst())?.ciphertext;
  }

  async deleteSecret(id: string): Promise<void> {
    await this.db.deleteFrom('secrets').where('id', '=', id).execute();
  }

  async listSigningKeys(purpose: string): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().where('purpose', '=', purpose).orderBy('created_at', 'desc').execute();
    return rows.map((r) => ({
      kid: r.kid,
      purpose: r.purpose,
      ciphertext: r.ciphertext,
      createdAtMs: num(r.created_at),
      retiredAtMs: r.retired_at === null ? undefined : num(r.retired_at),
    }));
  }

  async insertSigningKey(k: SigningKeyRecord): Promise<boolean> {
    const res = await this.db
      .insertInto('signing_keys')
      .values({ kid: k.kid, purpose: k.purpose, ciphertext: k.ciphertext, created_at: k.createdAtMs, retired_at: k.retiredAtMs ?? null })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async putStagedTable(r: StagedTableRecord): Promise<void> {
    await this.db
      .insertInto('staged_tables')
      .values({
        warehouse: r.warehouse,
        namespace: encodeNamespace(r.namespace),
        name: r.name,
        uuid: r.uuid,
        location: r.location,
        metadata: r.metadataJson,
        expires_at: r.expiresAtMs,
        owner: r.owner,
      })
      .onConflict((oc) => oc.column('uuid').doUpdateSet({ metadata: r.metadataJson, expires_at: r.expiresAtMs }))
      .execute();
  }

  async getStagedTable(warehouse: string, namespace: string[], name: string, nowMs: number, uuid?: string): Promise<StagedTableRecord | undefined> {
    let q = this.db
      .selectFrom('staged_tables')
      .selectAll()
      .where('warehouse', '=', warehouse)
      .where('namespace', '=', encodeNamespace(namespace))
      .where('name', '=', name)
      .where('expires_at', '>', nowMs);
    if (uuid !== undefined) q = q.where('uuid', '=', uuid);
    const r = await q.orderBy('expires_at', 'desc').limit(1).executeTakeFirst();
    return (
      r && {
        warehouse,
        namespace: decodeNamespace(r.namespace),
        name: r.name,
        uuid: r.uuid,
        location: r.location,
        metadataJson: r.metadata,
        expiresAtMs: num(r.expires_at),
        owner: r.owner,
      }
    );
  }

  async listStagedTableLocations(warehouse: string, nowMs: number): Promise<Array<Pick<StagedTableRecord, 'namespace' | 'name' | 'uuid' | 'location'>>> {
    const rows = await this.db
      .selectFrom('staged_tables')
      .select(['namespace', 'name', 'uuid', 'location'])
      .where('warehouse', '=', warehouse)
      .where('expires_at', '>', nowMs)
      .execute();
    return rows.map((r) => ({ namespace: decodeNamespace(r.namespace), name: r.name, uuid: r.uuid, location: r.location }));
  }

  async deleteStagedTable(warehouse: string, namespace: string[], name: string, uuid: string): Promise<void> {
    await this.db
      .deleteFrom('staged_tables')
      .where('warehouse', '=', warehouse)
      .where('namespace', '=', encodeNamespace(namespace))
      .where('name', '=', name)
      .where('uuid', '=', uuid)
      .execute();
  }

  async getIdempotency(key: string, notBeforeMs: number): Promise<IdempotencyRecord | undefined> {
    const r = await this.db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).where('created_at', '>=', notBeforeMs).executeTakeFirst();
    return r && { key: r.key, fingerprint: r.fingerprint, status: r.status, body: r.body, createdAtMs: num(r.created_at) };
  }

  async putIdempotency(r: IdempotencyRecord): Promise<void> {
    await this.db
      .insertInto('idempotency_keys')
      .values({ key: r.key, fingerprint: r.fingerprint, status: r.status, body: r.body, created_at: r.createdAtMs })
      .onConflict((oc) => oc.column('key').doUpdateSet({ fingerprint: r.fingerprint, status: r.status, body: r.body, created_at: r.createdAtMs }))
      .execute();
  }

  async reserveIdempotency(key: string, fingerprint: string, nowMs: number): Promise<boolean> {
    const res = await this.db
      .insertInto('idempotency_keys')
      .values({ key, fingerprint, status: 0, body: '', created_at: nowMs })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async touchIdempotency(keys: readonly string[], nowMs: number): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .updateTable('idempotency_keys')
      .set({ created_at: nowMs })
      .where('key', 'in', [...keys])
      .where('status', '=', 0)
      .execute();
  }

  async deleteIdempotency(key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('key', '=', key).execute();
  }

  async takeOverIdempotency(key: string, seenAtMs: number, fingerprint: string, nowMs: number): Promise<boolean> {
    const res = await this.db
      .updateTable('idempotency_keys')
      .set({ created_at: nowMs, fingerprint })
      .where('key', '=', key)
      .where('status', '=', 0)
      .where('created_at', '=', seenAtMs)
      .executeTakeFirst();
    return Number(res.numUpdatedRows ?? 0n) === 1;
  }

  async noteIdempotentOutcome(key: string, outcome: string): Promise<void> {
    await this.db.updateTable('idempotency_keys').set({ body: outcome }).where('key', '=', key).where('status', '=', 0).execute();
  }

  async deleteExpired(nowMs: number, idempotencyLifetimeMs: number): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<', nowMs - idempotencyLifetimeMs)
      .execute();
    await this.db.deleteFrom('staged_tables').where('expires_at', '<', nowMs).execute();
  }

  async insertMetricsReport(r: MetricsReportRecord): Promise<void> {
    await this.db
      .insertInto('metrics_reports')
      .values({
        id: r.id,
        warehouse: r.warehouse,
        namespace: encodeNamespace(r.namespace),
        table_name: r.table,
        table_id: r.tableId,
        table_uuid: r.tableUuid,
        report_type: r.reportType,
        report: r.report,
        created_at: r.createdAtMs,
      })
      .execute();
  }

  async deleteMetricsReportsBefore(beforeMs: number): Promise<number> {
    const result = await this.db.deleteFrom('metrics_reports').where('created_at', '<', beforeMs).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async listMetricsReports(
    warehouse: string,
    namespace: string[],
    table: string,
    limit: number,
    live?: { id: string; uuid: string },
  ): Promise<MetricsReportRecord[]> {
    const underName = (eb: ExpressionBuilder<CatalogDatabase, 'metrics_reports'>) =>
      eb.and([eb('warehouse', '=', warehouse), eb('namespace', '=', encodeNamespace(namespace)), eb('table_name', '=', table)]);
    const rows = await this.db
      .selectFrom('metrics_reports')
      .selectAll()
      .where((eb) =>
        live !== undefined
          ? // The table's own (a rename keeps its id), and its stage-create's (no id yet, its uuid kept by the commit).
            eb.or([eb('table_id', '=', live.id), eb.and([eb('table_id', '=', ''), eb('table_uuid', '=', live.uuid), underName(eb)])])
          : // Under the name, of tables that no longer exist: never a live table's, wherever it was renamed to.
            eb.and([
              underName(eb),
              eb.or([
                eb('table_id', '=', ''),
                eb.not(eb.exists(eb.selectFrom('catalog_objects').select('id').whereRef('catalog_objects.id', '=', 'metrics_reports.table_id'))),
              ]),
            ]),
      )
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      warehouse: r.warehouse,
      namespace: decodeNamespace(r.namespace),
      table: r.table_name,
      tableId: r.table_id,
      tableUuid: r.table_uuid,
      reportType: r.report_type,
      report: r.report,
      createdAtMs: num(r.created_at),
    }));
  }
}
