import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import { listSystems } from '../projects/index.ts';
import { cellName, RESOURCE_FIELD_COLUMN, RESOURCE_SHEET, readCatalogue } from './catalogue.excel.ts';
import * as repo from './catalogue.repository.ts';
import { createResource, resourceIssues, saveDraft } from './catalogue.service.ts';
import { assertProvided } from './shareddata.policy.ts';

const HEADERS: Record<string, string> = {
  name: '资源名称',
  description: '资源摘要',
  systemId: '信息系统',
  sharingCondition: '共享条件',
  notSharedReason: '不予共享理由',
  endpointUrl: '服务地址',
};

/**
 * Imports a catalogue workbook as drafts of the caller's unit, whole or not at all: every cell and every entry
 * is checked first (system names against the unit's systems, the rules of an entry, entries under review);
 * any error refuses the file with each error named by sheet, row and column, and nothing is stored. An entry
 * named like one of the unit's resources becomes that resource's next draft version.
 */
export async function importCatalogue(trx: Trx, auth: AuthContext, actor: Actor, buffer: Buffer, now: Date) {
  await assertProvided(trx, auth.jurisdictionId);
  const read = await readCatalogue(buffer);
  const refuse = (errors: FieldError[], total: number): never => {
    throw new AppError(
      'validation_failed',
      `文件有 ${total} 处错误，未导入任何内容 / ${total} error(s): nothing was imported`,
      errors,
    );
  };
  if (!read.ok) refuse(read.errors, read.total);
  const entries = read.ok ? read.entries : [];
  const systems = (await listSystems(trx, auth, {}, { limit: 500, offset: 0 })).items.filter(
    (s) => s.organisationId === auth.organisationId,
  );
  const errors: FieldError[] = [];
  const plan: { input: Parameters<typeof createResource>[3]; existing: string | null }[] = [];
  for (const entry of entries) {
    const { row, systemName, ...rest } = entry;
    const system = systems.find((s) => s.name === systemName);
    if (!system) {
      errors.push({
        field: cellName(RESOURCE_SHEET, row, RESOURCE_FIELD_COLUMN.systemId as number, '信息系统'),
        message: `本单位没有名为“${systemName}”的信息系统 / the unit has no information system named ${systemName}`,
      });
    }
    const input = { ...rest, systemId: system?.id ?? '' };
    for (const issue of resourceIssues(input, 'x')) {
      const field = issue.field.replace(/^x\./, '').split('.')[0] as string;
      const column = RESOURCE_FIELD_COLUMN[field];
      errors.push({
        field: column
          ? cellName(RESOURCE_SHEET, row, column, HEADERS[field] ?? field)
          : `${RESOURCE_SHEET} 第 ${row} 行`,
        message: issue.message,
      });
    }
    const existing = await repo.findResourceByName(trx, auth.organisationId, entry.name);
    if (existing) {
      const open = (await repo.versionsOf(trx, [existing.id])).find((v) => v.status === 'submitted');
      if (open || existing.withdrawn_at) {
        errors.push({
          field: cellName(RESOURCE_SHEET, row, 2, '资源名称'),
          message: existing.withdrawn_at
            ? '该数据资源已下架，不能导入新版本 / the resource was withdrawn'
            : `该数据资源第 ${open?.version} 版正在审核，审核完成后再导入 / a version is under review`,
        });
      }
    }
    plan.push({ input, existing: existing?.id ?? null });
  }
  if (errors.length > 0) refuse(errors.slice(0, 200), errors.length);
  const resources: { id: string; name: string; version: number; created: boolean }[] = [];
  for (const p of plan) {
    const saved = p.existing
      ? await saveDraft(trx, auth, actor, p.existing, p.input, now)
      : await createResource(trx, auth, actor, p.input, now);
    resources.push({ id: saved.id, name: p.input.name, version: saved.open?.version ?? 1, created: !p.existing });
  }
  await writeAudit(trx, actor, {
    action: 'data_resource.imported',
    objectType: 'data_resource',
    detail: {
      created: resources.filter((r) => r.created).length,
      updated: resources.filter((r) => !r.created).length,
      names: resources.map((r) => r.name),
    },
  });
  return {
    created: resources.filter((r) => r.created).length,
    updated: resources.filter((r) => !r.created).length,
    resources,
  };
}
