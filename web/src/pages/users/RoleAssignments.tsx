import { Space, Typography } from 'antd';
import type { RoleAssignment } from '../../api/types';
import { RoleTag } from '../../components/RoleTag';

/** "示范市卫生健康委员会: 单位管理员", one line per organisation. */
export function RoleAssignments({ roles }: { roles: readonly RoleAssignment[] }) {
  const byOrganisation = new Map<string, { name: string; roles: string[] }>();
  for (const assignment of roles) {
    const entry = byOrganisation.get(assignment.organisationId) ?? { name: assignment.organisationName, roles: [] };
    entry.roles.push(assignment.role);
    byOrganisation.set(assignment.organisationId, entry);
  }
  if (byOrganisation.size === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space orientation="vertical" size={4}>
      {[...byOrganisation.entries()].map(([id, entry]) => (
        <Space key={id} size={[4, 4]} wrap>
          <Typography.Text type="secondary">{entry.name}</Typography.Text>
          {entry.roles.map((role) => (
            <RoleTag key={role} role={role} />
          ))}
        </Space>
      ))}
    </Space>
  );
}
