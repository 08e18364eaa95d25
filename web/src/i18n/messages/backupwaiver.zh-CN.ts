/** The backup deadline of a platform-opened reclaim and its waiver (SH 25-26; issue 14): Chinese texts, spread into zh-CN.ts. */
export const backupWaiverZhCN = {
  'backupWaiver.due': '备份期限',
  'backupWaiver.dueDay': '{day} 前',
  'backupWaiver.overdue': '使用单位未在 {day} 前确认备份。',
  'backupWaiver.consent': '主管部门同意',
  'backupWaiver.waived': '运行管理单位继续回收',
  'backupWaiver.by': '{name}，{at}',
  'backupWaiver.consentNeeded':
    '使用单位逾期未确认备份（期限 {day}）。是否同意在未确认备份的情况下继续回收（上海第二十五条：经政务云主管部门同意）？',
  'backupWaiver.consentButton': '同意继续回收',
  'backupWaiver.proceedNeeded': '主管部门已同意。运行管理单位可通知服务商继续回收。',
  'backupWaiver.proceedButton': '继续回收',
  'backupWaiver.awaitingConsent': '使用单位逾期未确认备份，等待主管部门同意。',
  'backupWaiver.comment': '意见（可选）',
  'backupWaiver.done': '已办理',
  'backupWaiver.confirmForUnit': '运行管理单位确认回执',
  'orders.sources.test_release': '测试资源释放',
  'auditAction.work_order.backup_overdue': '工单备份期限已过',
  'auditAction.work_order.backup_waiver_consented': '主管部门同意未备份继续回收',
  'auditAction.work_order.backup_waived': '运行管理单位继续回收（未备份）',
  'auditAction.catalogue.confirmed': '核定服务目录',
  'auditAction.order.test_environment_released': '正式开通后释放测试资源',
};
