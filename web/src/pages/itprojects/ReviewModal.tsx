import { Form, Input, Modal, message, Space, Switch } from 'antd';
import { type Declaration, useReviewDeclaration } from '../../api/hooks/it-projects';
import { useCite } from '../../components/Citation';
import { type MessageKey, useI18n } from '../../i18n';

/** The review items the declaration's pack asks (JQ-proj 7(2): three; NB 17: two). */
const itemsOf = (d: Declaration | null): string[] => (d?.checklist ?? []).map((c) => c.item);

const articleOf = (d: Declaration | null, item: string, cite: (a: string) => string) => {
  const article = d?.checklist?.find((c) => c.item === item)?.article;
  return article ? `（${cite(article)}）` : '';
};

/** The preliminary review (初审): every item of the pack's checklist answered, each with a note. */
export function ReviewModal({ declaration, onClose }: { declaration: Declaration | null; onClose: () => void }) {
  const { t } = useI18n();
  const review = useReviewDeclaration();
  const cite = useCite();
  const [form] = Form.useForm<Record<string, { passed: boolean; note: string }>>();
  return (
    <Modal
      open={!!declaration}
      title={t('itp.review.title', { name: declaration?.projectName ?? '' })}
      onCancel={onClose}
      confirmLoading={review.isPending}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        try {
          await review.mutateAsync({
            id: declaration?.id ?? '',
            answers: itemsOf(declaration).map((item) => ({
              item,
              passed: !!v[item]?.passed,
              note: v[item]?.note ?? '',
            })),
          });
          onClose();
        } catch (e) {
          message.error((e as Error).message);
        }
      }}
    >
      <Form form={form} layout="vertical">
        {itemsOf(declaration).map((item) => (
          <Space key={item} direction="vertical" style={{ width: '100%' }}>
            <Form.Item
              name={[item, 'passed']}
              label={`${t(`itp.check.${item}` as MessageKey)}${articleOf(declaration, item, cite)}`}
              valuePropName="checked"
              initialValue
            >
              <Switch checkedChildren={t('itp.review.yes')} unCheckedChildren={t('itp.review.no')} />
            </Form.Item>
            <Form.Item name={[item, 'note']} label={t('itp.review.note')} rules={[{ required: true }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </Space>
        ))}
      </Form>
    </Modal>
  );
}
