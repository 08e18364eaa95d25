import { Card, Col, Row, Statistic } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

export interface Count {
  /** data-testid of the figure, for the browser suite */
  id: string;
  label: ReactNode;
  value: number;
  /** the list this count is the length of */
  to: string;
  danger?: boolean;
}

/** A row of figures, each a link to the list it counts. */
export function CountCard({
  title,
  counts,
  loading,
  extra,
}: {
  title: ReactNode;
  counts: readonly Count[];
  loading: boolean;
  extra?: ReactNode;
}) {
  return (
    <Card title={title} loading={loading} extra={extra} style={{ height: '100%' }}>
      <Row gutter={[16, 16]}>
        {counts.map((c) => (
          <Col key={c.id} xs={12} sm={8} md={Math.max(6, Math.floor(24 / counts.length))}>
            <Link to={c.to} data-testid={c.id} data-count={c.value}>
              <Statistic
                title={c.label}
                value={c.value}
                styles={c.danger && c.value > 0 ? { content: { color: '#cf1322' } } : undefined}
              />
            </Link>
          </Col>
        ))}
      </Row>
    </Card>
  );
}
