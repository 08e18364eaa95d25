import { Card, Descriptions, Flex, Select, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useJurisdictionPolicy, usePolicyPack, usePolicyPacks } from '../../api/hooks/policy';
import { useSystemInfo } from '../../api/hooks/system';
import type { PolicyPack } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { RoleTag } from '../../components/RoleTag';
import { useI18n } from '../../i18n';
import { OrderTypes } from './OrderTypes';
import { QuotaRules } from './QuotaRules';

function PackView({ pack }: { pack: PolicyPack }) {
  const { t, language } = useI18n();
  const en = language === 'en-US';
  return (
    <Flex vertical gap={16}>
      <Card data-testid="policy-pack">
        <Descriptions size="small" column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label={t('policyPack.city')}>{en ? pack.city.en : pack.city.zh}</Descriptions.Item>
          <Descriptions.Item label={t('policyPack.title')}>
            <Flex gap={8} wrap>
              {pack.title}
              <Tag color={pack.documentStatus === 'issued' ? 'green' : 'gold'}>
                {t(`policyPack.documentStatus.${pack.documentStatus}`)}
              </Tag>
            </Flex>
          </Descriptions.Item>
          <Descriptions.Item label={t('policyPack.year')}>{pack.year ?? '—'}</Descriptions.Item>
          {/* the version only: the pack's id is a code, and the city and title above already name the pack */}
          <Descriptions.Item label={t('policyPack.version')}>{pack.version}</Descriptions.Item>
          <Descriptions.Item label={t('policyPack.effective')}>
            {pack.effective.from ?? t('policyPack.noDeadline')}
            {pack.effective.article && (
              <Typography.Text type="secondary">
                {' '}
                (<CitedText text={pack.effective.article} />)
              </Typography.Text>
            )}
            {pack.effective.note && (
              <Typography.Text type="secondary">
                {' · '}
                <CitedText text={pack.effective.note} />
              </Typography.Text>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('policyPack.sources')}>
            {pack.sources.map((source) => `《${source.title}》`).join('、')}
          </Descriptions.Item>
        </Descriptions>
        {pack.bodies.length > 0 && (
          <Flex vertical gap={4} style={{ marginTop: 8 }}>
            {pack.bodies.map((body) => (
              <Flex key={`${body.role}-${body.zh}`} gap={8} align="center" wrap>
                <RoleTag role={body.role} />
                <Typography.Text>{body.zh}</Typography.Text>
                <Typography.Text type="secondary">
                  (<CitedText text={body.article} />)
                </Typography.Text>
              </Flex>
            ))}
          </Flex>
        )}
      </Card>
      <Card title={t('policyPack.orderTypes')}>
        <OrderTypes orderTypes={pack.orderTypes} />
      </Card>
      <Card title={t('policyPack.quota')}>
        <QuotaRules quota={pack.quota} />
      </Card>
    </Flex>
  );
}

/** The regulation the default jurisdiction applies (with its local adjustments), or any other pack, read-only. */
export function PolicyPage() {
  const { t, language } = useI18n();
  const system = useSystemInfo();
  const code = system.data?.defaultJurisdiction?.code;
  const effective = useJurisdictionPolicy(code);
  const packs = usePolicyPacks();
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const currentPackId = effective.data?.packId;
  const other = chosen !== undefined && chosen !== currentPackId ? chosen : undefined;
  const otherPack = usePolicyPack(other);

  const shown = other ? otherPack : effective;
  const pack = other ? otherPack.data : effective.data?.policy;
  const error = system.error ?? shown.error;

  return (
    <>
      <PageHeader
        title={t('nav.policy')}
        description={t('policyPack.description')}
        extra={
          <Select
            style={{ width: 320 }}
            aria-label={t('policyPack.pack')}
            loading={packs.isPending}
            value={chosen ?? currentPackId}
            onChange={setChosen}
            options={(packs.data ?? []).map((summary) => ({
              value: summary.id,
              label: `${language === 'en-US' ? summary.city.en : summary.city.zh} · ${summary.title}${
                summary.id === currentPackId ? ` (${t('policyPack.current')})` : ''
              }`,
            }))}
          />
        }
      />
      {error ? (
        <ApiErrorAlert error={error} onRetry={() => void (system.error ? system.refetch() : shown.refetch())} />
      ) : !pack ? (
        <PageLoading />
      ) : (
        <PackView pack={pack} />
      )}
    </>
  );
}
