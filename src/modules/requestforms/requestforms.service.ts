import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { sm3 } from '../../platform/crypto.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import { type FormDocument, type FormLine, parseForm, writeForm } from './requestforms.format.ts';
import * as repo from './requestforms.repository.ts';
import type { FormRowRecord } from './requestforms.table.ts';

// Every function taking a `trx` runs in a tenant transaction (withTenant): row-level security limits what
// the queries see, and the repository's visibility filter states the same rule, so neither alone is relied upon.

export interface RequestFormSummary {
  id: string;
  organisationId: string;
  jurisdictionId: string;
  systemName: string;
  title: string;
  status: 'draft';
  applicantContact: string | null;
  vendorContact: string | null;
  sourceFilename: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  totals: { rows: number; vcpu: number; memoryGb: number; systemDiskGb: number; dataDiskGb: number };
}

export interface RequestForm extends RequestFormSummary {
  rows: FormLine[];
}

type StoredForm = NonNullable<Awaited<ReturnType<typeof repo.findForm>>>;

const toSummary = (f: StoredForm): RequestFormSummary => ({
  id: f.id,
  organisationId: f.organisation_id,
  jurisdictionId: f.jurisdiction_id,
  systemName: f.system_name,
  title: f.title,
  status: f.status,
  applicantContact: f.applicant_contact,
  vendorContact: f.vendor_contact,
  sourceFilename: f.source_filename,
  createdBy: f.created_by,
  createdAt: f.created_at.toISOString(),
  updatedAt: f.updated_at.toISOString(),
  totals: {
    rows: f.row_count,
    vcpu: f.vcpu,
    memoryGb: f.memory_gb,
    systemDiskGb: f.system_disk_gb,
    dataDiskGb: f.data_disk_gb,
  },
});

const toLine = (r: FormRowRecord): FormLine => ({
  rowNo: r.row_no,
  networkZone: r.network_zone,
  developer: r.developer,
  systemName: r.system_name,
  subsystem: r.subsystem,
  serverType: r.server_type,
  bastionOwner: r.bastion_owner,
  bastionOwnerEmail: r.bastion_owner_email,
  bastionOwnerMobile: r.bastion_owner_mobile,
  vcpu: r.vcpu,
  memoryGb: r.memory_gb,
  systemDiskGb: r.system_disk_gb,
  dataDiskGb: r.data_disk_gb,
  os: r.os,
  clustered: r.clustered,
  clusterGroup: r.cluster_group,
  notes: r.notes,
});

/** A form the caller may reach; a foreign one answers exactly like a missing one. */
async function scopedForm(trx: Trx, auth: AuthContext, id: string): Promise<StoredForm> {
  const form = await repo.findForm(trx, auth.visibility, id);
  if (!form) throw notFound(`request form ${id} / 需求表不存在`);
  return form;
}

/** A checked form, ready to store: what `readUpload` gives when the file has no error. */
export interface CheckedUpload {
  systemName: string;
  doc: FormDocument;
  digest: string;
  bytes: number;
}

/**
 * Reads and checks an uploaded .xlsx, outside any transaction (it is the slow part). Any error refuses the
 * whole file: 400 validation_failed naming every bad cell (`row 12, 内存GB (K12)`).
 */
export async function readUpload(body: Buffer): Promise<CheckedUpload> {
  if (body.length === 0) {
    throw new AppError('validation_failed', 'file: empty', [
      { field: 'file', message: '文件为空 / the file is empty' },
    ]);
  }
  const parsed = await parseForm(body);
  if (!parsed.ok) {
    const shown = parsed.errors.length < parsed.total ? ` (the first ${parsed.errors.length} are listed)` : '';
    const detail = `表格有 ${parsed.total} 处错误，未导入任何内容 / the form has ${parsed.total} error(s) and was not imported${shown}: ${parsed.errors
      .slice(0, 3)
      .map((e) => `${e.field}: ${e.message}`)
      .join('; ')}`;
    throw new AppError('validation_failed', detail, parsed.errors);
  }
  return { systemName: parsed.systemName, doc: parsed.doc, digest: sm3(body), bytes: body.length };
}

/** Stores a checked form as a draft of the caller's organisation, with its audit entry. */
export async function storeImport(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  upload: CheckedUpload,
  meta: { title?: string; filename?: string },
): Promise<RequestForm> {
  const form = await repo.insertForm(trx, {
    organisation_id: auth.organisationId,
    jurisdiction_id: auth.jurisdictionId,
    system_name: upload.systemName,
    title: meta.title?.trim() || upload.systemName,
    applicant_contact: upload.doc.applicantContact,
    vendor_contact: upload.doc.vendorContact,
    source_filename: meta.filename ?? null,
    created_by: auth.name,
  });
  await repo.insertLines(
    trx,
    upload.doc.lines.map((l) => ({
      form_id: form.id,
      organisation_id: form.organisation_id,
      jurisdiction_id: form.jurisdiction_id,
      row_no: l.rowNo,
      network_zone: l.networkZone,
      developer: l.developer,
      system_name: l.systemName,
      subsystem: l.subsystem,
      server_type: l.serverType,
      bastion_owner: l.bastionOwner,
      bastion_owner_email: l.bastionOwnerEmail,
      bastion_owner_mobile: l.bastionOwnerMobile,
      vcpu: l.vcpu,
      memory_gb: l.memoryGb,
      system_disk_gb: l.systemDiskGb,
      data_disk_gb: l.dataDiskGb,
      os: l.os,
      clustered: l.clustered,
      cluster_group: l.clusterGroup,
      notes: l.notes,
    })),
  );
  await writeAudit(trx, actor, {
    action: 'request_form.imported',
    objectType: 'request_form',
    objectId: form.id,
    detail: {
      systemName: form.system_name,
      rows: upload.doc.lines.length,
      filename: form.source_filename,
      bytes: upload.bytes,
      contentSm3: upload.digest,
    },
  });
  return getForm(trx, auth, form.id);
}

export async function listForms(
  trx: Trx,
  auth: AuthContext,
  page: { limit: number; offset: number },
): Promise<{ items: RequestFormSummary[]; total: number }> {
  const { rows, total } = await repo.listForms(trx, auth.visibility, page);
  return { items: rows.map(toSummary), total };
}

export async function getForm(trx: Trx, auth: AuthContext, id: string): Promise<RequestForm> {
  const form = await scopedForm(trx, auth, id);
  return { ...toSummary(form), rows: (await repo.formLines(trx, id)).map(toLine) };
}

/** The form as the annex's spreadsheet; every text cell is neutralised against formulas. Pure: no database. */
export function renderForm(form: RequestForm): Promise<Buffer> {
  return writeForm({ applicantContact: form.applicantContact, vendorContact: form.vendorContact, lines: form.rows });
}

/** The audit entry of an export, written once the file is built. */
export async function recordExport(trx: Trx, actor: Actor, form: RequestForm, bytes: number): Promise<void> {
  await writeAudit(trx, actor, {
    action: 'request_form.exported',
    objectType: 'request_form',
    objectId: form.id,
    detail: { systemName: form.systemName, rows: form.rows.length, bytes },
  });
}

/** Deletes a draft with its rows; audited. */
export async function deleteForm(trx: Trx, auth: AuthContext, actor: Actor, id: string): Promise<void> {
  const form = await scopedForm(trx, auth, id);
  if (form.status !== 'draft') {
    throw new AppError('conflict', `request form ${id} is ${form.status}: only a draft can be deleted / 只能删除草稿`);
  }
  await repo.deleteForm(trx, id);
  await writeAudit(trx, actor, {
    action: 'request_form.deleted',
    objectType: 'request_form',
    objectId: id,
    detail: { systemName: form.system_name, title: form.title, rows: form.row_count },
  });
}

let blank: Promise<Buffer> | undefined;

/** The blank form (the template): the annex's title, contact line, header and notes, no rows. Built once. */
export function template(): Promise<Buffer> {
  blank ??= writeForm({ applicantContact: null, vendorContact: null, lines: [] }).catch((error) => {
    blank = undefined;
    throw error;
  });
  return blank;
}
