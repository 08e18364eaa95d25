import { createHash } from 'node:crypto';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, type FieldError, notFound } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import * as repo from './evaluation.repository.ts';
import type { Card } from './evaluation.scoring.ts';
import { recompute, visibleEvaluation } from './evaluation.service.ts';

// Evidence files on an evaluated organisation's indicator (site inspection records, security reviews, survey
// summaries), stored in the database as the data-centre attachments are: content, size and SHA-256. The ops
// unit's evaluator attaches them to the draft (which then recomputes: the files' hashes are part of the inputs,
// so the content hash covers them, and whoever attached one may not review the draft); the authorities see them
// all, an evaluated unit or provider its own once the evaluation is published.

export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/i;

export interface EvidenceUpload {
  organisationId: string;
  indicator: string;
  fileName: string;
  mediaType: string;
  contentBase64: string;
}

function decode(input: EvidenceUpload): Buffer {
  const issues: FieldError[] = [];
  if (!MEDIA_TYPE.test(input.mediaType)) issues.push({ field: 'body.mediaType', message: '文件类型无效' });
  if (input.fileName.trim().length === 0) issues.push({ field: 'body.fileName', message: '请填写文件名' });
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.contentBase64))
    issues.push({ field: 'body.contentBase64', message: '不是 base64 编码' });
  const content = Buffer.from(input.contentBase64, 'base64');
  if (content.length === 0) issues.push({ field: 'body.contentBase64', message: '文件为空' });
  if (content.length > MAX_EVIDENCE_BYTES)
    issues.push({ field: 'body.contentBase64', message: `文件超过 ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB` });
  if (issues.length)
    throw new AppError('validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
  return content;
}

function toEvidence(a: Awaited<ReturnType<typeof repo.attachmentsOf>>[number]) {
  return {
    id: a.id,
    evaluationId: a.evaluation_id,
    organisationId: a.organisation_id,
    indicator: a.indicator,
    fileName: a.file_name,
    mediaType: a.media_type,
    sizeBytes: a.size_bytes,
    sha256: a.sha256,
    uploadedBy: a.uploaded_by,
    uploadedAt: a.uploaded_at.toISOString(),
  };
}

export async function uploadEvidence(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: EvidenceUpload,
  now: Date,
) {
  const e = await visibleEvaluation(trx, auth, id, true);
  if (e.status !== 'draft') throw new AppError('conflict', 'evidence is attached to a draft / 仅草稿可上传佐证材料');
  const cards = await repo.cardsOf(trx, e.id, auth.visibility);
  const card = cards.find(
    (c) =>
      c.organisation_id === input.organisationId &&
      (c.indicators as Card['indicators']).some((i) => i.id === input.indicator),
  );
  if (!card) {
    const known = cards.some((c) => c.organisation_id === input.organisationId);
    throw new AppError('validation_failed', known ? '评分卡中没有该指标' : '被评估单位不在本次评估中', [
      known
        ? { field: 'body.indicator', message: '评分卡中没有该指标' }
        : { field: 'body.organisationId', message: '被评估单位不在本次评估中' },
    ]);
  }
  const content = decode(input);
  const row = await repo.insertAttachment(trx, {
    evaluation_id: e.id,
    organisation_id: card.organisation_id,
    jurisdiction_id: card.jurisdiction_id,
    indicator: input.indicator,
    file_name: input.fileName.trim(),
    media_type: input.mediaType,
    size_bytes: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    content,
    uploaded_by: auth.name,
    uploaded_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'evaluation.evidence_attached',
    objectType: 'evaluation',
    objectId: e.id,
    detail: {
      attachmentId: row.id,
      organisationId: row.organisation_id,
      indicator: row.indicator,
      file: row.file_name,
      bytes: row.size_bytes,
      sha256: row.sha256,
    },
  });
  const evaluation = await recompute(trx, auth, actor, id, now);
  return { attachment: toEvidence(row), evaluation };
}

/** Evidence the caller may see: jurisdiction roles on any evaluation; a unit or provider its own, once published. */
export async function listEvidence(
  trx: Trx,
  auth: AuthContext,
  id: string,
  filter: { organisationId?: string; indicator?: string },
) {
  const e = await visibleEvaluation(trx, auth, id);
  return { items: (await repo.attachmentsOf(trx, e.id, auth.visibility, filter)).map(toEvidence) };
}

export async function downloadEvidence(trx: Trx, auth: AuthContext, attachmentId: string) {
  const a = await repo.findAttachment(trx, attachmentId, auth.visibility);
  if (!a) throw notFound(`佐证材料不存在 / no such evidence ${attachmentId}`);
  await visibleEvaluation(trx, auth, a.evaluation_id);
  return a;
}
