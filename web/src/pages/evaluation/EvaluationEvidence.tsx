import { PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, List, Select, Space, Typography, Upload } from 'antd';
import { useState } from 'react';
import {
  type Evaluation,
  type EvaluationCard,
  evidenceUrl,
  useAttachEvidence,
  useEvidence,
} from '../../api/hooks/evaluation';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useI18n } from '../../i18n';

// Evidence files on a card's indicators: the ops evaluator attaches them to the draft (the draft recomputes); the
// authorities see them all, the evaluated unit or provider its own once published.

export function EvidenceFiles({ evaluation, card }: { evaluation: Evaluation; card: EvaluationCard }) {
  const { t } = useI18n();
  const files = useEvidence(evaluation.id, card.organisationId);
  const attach = useAttachEvidence();
  const canAttach = useCan('evaluation:draft') && evaluation.status === 'draft';
  const [indicator, setIndicator] = useState(card.indicators[0]?.id ?? '');
  const zh = (id: string) => card.indicators.find((i) => i.id === id)?.zh ?? '';
  const items = files.data?.items ?? [];
  return (
    <div style={{ marginTop: 12 }}>
      <Typography.Text strong>{t('ev.files.title')}</Typography.Text>
      {files.error ? <ApiErrorAlert error={files.error} compact /> : null}
      {attach.error ? <ApiErrorAlert error={attach.error} compact /> : null}
      {canAttach ? (
        <Space style={{ display: 'flex', margin: '8px 0' }}>
          <Select
            aria-label={t('ev.files.indicator')}
            style={{ width: 200 }}
            value={indicator}
            onChange={setIndicator}
            options={card.indicators.map((i) => ({ value: i.id, label: i.zh }))}
          />
          <Upload
            showUploadList={false}
            beforeUpload={async (file) => {
              await attach.mutateAsync({ id: evaluation.id, organisationId: card.organisationId, indicator, file });
              return false;
            }}
          >
            <Button icon={<UploadOutlined />} loading={attach.isPending}>
              {t('ev.files.upload')}
            </Button>
          </Upload>
        </Space>
      ) : null}
      <List
        size="small"
        dataSource={items}
        locale={{ emptyText: t('ev.files.none') }}
        renderItem={(f) => (
          <List.Item>
            <Space>
              <PaperClipOutlined aria-hidden />
              <a href={evidenceUrl(f.id)}>{f.fileName}</a>
              <Typography.Text type="secondary">
                {t('ev.files.meta', {
                  indicator: zh(f.indicator),
                  size: (f.sizeBytes / 1024).toFixed(1),
                  by: f.uploadedBy,
                })}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </div>
  );
}
