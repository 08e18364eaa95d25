import { describe, expect, it } from 'vitest';
import {
  apiSession,
  at,
  login,
  plainTextFindingsIn,
  setUpConsole,
  textOf,
  unexpectedErrors,
  visible,
} from './harness.ts';

/*
 * Issue 16: each role lands on its own work. For every role the home page's counts are checked against the
 * API lists they open, the page shows no id, JSON or snake_case key, and axe-core finds no serious or
 * critical violation. Screenshots: test-results/home-<user>.png.
 */

const ui = setUpConsole();

/** The demo accounts of the eight roles without admin duties (the admin roles need TOTP; admin.e2e.ts). */
const ROLES = [
  { user: 'applicant', sections: ['todo', 'orders', 'quota', 'spending'] },
  { user: 'unitadmin', sections: ['todo', 'orders', 'quota', 'spending'] },
  { user: 'reviewer', sections: ['todo', 'overdue', 'monitoring', 'reconciliation', 'spending'] },
  { user: 'provider', sections: ['workOrders'] },
  { user: 'approver', sections: ['todo', 'overdue', 'spending', 'spendingByUnit'] },
  { user: 'econ', sections: ['todo', 'overdue', 'spending'] },
  { user: 'finance', sections: ['spending', 'spendingByUnit'] },
  { user: 'auditor', sections: ['admin'] },
] as const;

async function countOf(testId: string): Promise<number> {
  const el = ui.page.getByTestId(testId);
  await visible(el);
  return Number(await el.getAttribute('data-count'));
}

describe('the home page of each role', () => {
  it('the text scanner finds ids, JSON and snake_case keys, and leaves plain Chinese, addresses and names alone', () => {
    expect(
      plainTextFindingsIn('单号 DEMO-CITY-2026-000123，云主机 8 vCPU / 16 GB，李静 li.jing@example.gov.cn'),
    ).toEqual([]);
    expect(plainTextFindingsIn('https://cloud.example.gov.cn/api/v1/orders?step_key=a')).toEqual([]);
    expect(plainTextFindingsIn('对象 0b6f0d0e-6a35-4c1e-9d7a-8c2b9f0e1a2b').map((f) => f.kind)).toEqual(['uuid']);
    expect(plainTextFindingsIn('详情 {"memoryGb":16}').map((f) => f.kind)).toEqual(['json']);
    expect(plainTextFindingsIn('维度 memory_gb 16').map((f) => f.kind)).toEqual(['snake_case']);
    expect(plainTextFindingsIn('逾期（SH 19）').map((f) => f.kind)).toEqual(['citation']);
    expect(plainTextFindingsIn('《上海市政务云管理暂行办法》第十九条').map((f) => f.kind)).toEqual([]);
  });

  for (const { user, sections } of ROLES) {
    it(`${user}: its own work, counts as the API lists them, plain text, accessible`, async () => {
      const page = ui.page;
      await ui.signedOut('/login');
      await login(page, user);
      await at(page, '/');
      await visible(page.getByTestId('home-organisation'));
      for (const s of sections) await visible(page.getByTestId(`home-section-${s}`));
      const api = await apiSession(ui.serverUrl, user);

      if (sections.includes('todo' as never)) {
        const inbox = await api('GET', '/api/v1/orders/inbox');
        const overdue = inbox.items.filter((i: { step: { overdue: boolean } }) => i.step.overdue).length;
        expect(inbox.total).toBe(inbox.items.length);
        expect(await textOf(page.getByTestId('home-todo-summary'))).toContain(
          `共 ${inbox.items.length} 项待办，其中 ${overdue} 项已逾期`,
        );
      }
      if (sections.includes('orders' as never)) {
        for (const status of ['draft', 'submitted', 'in_progress']) {
          const list = await api('GET', `/api/v1/orders?mine=true&status=${status}&limit=500`);
          expect(await countOf(`home-orders-${status}`), status).toBe(list.total);
        }
        const receipts = await api('GET', '/api/v1/work-orders?status=submitted&limit=1');
        expect(await countOf('home-receipts-to-confirm')).toBe(receipts.total);
      }
      if (sections.includes('workOrders' as never)) {
        const open = await api('GET', '/api/v1/work-orders?status=open&limit=200');
        const disputed = await api('GET', '/api/v1/work-orders?status=disputed&limit=200');
        expect(await countOf('home-wo-open')).toBe(open.total);
        expect(await countOf('home-wo-disputed')).toBe(disputed.total);
        const overdue = [...open.items, ...disputed.items].filter((w: { overdue: boolean }) => w.overdue).length;
        expect(await countOf('home-wo-overdue')).toBe(overdue);
      }
      if (sections.includes('overdue' as never)) {
        const board = await api('GET', '/api/v1/orders/overdue');
        expect(await countOf('home-overdue-count')).toBe(board.items.length);
      }
      if (sections.includes('monitoring' as never)) {
        const findings = await api('GET', '/api/v1/monitoring/findings?status=open&limit=1&offset=0');
        expect(await countOf('home-findings-open')).toBe(findings.total);
      }
      if (sections.includes('reconciliation' as never)) {
        const findings = await api('GET', '/api/v1/inventory/findings?status=open&limit=1&offset=0');
        expect(await countOf('home-reconciliation-open')).toBe(findings.total);
      }
      // System information is the administrators' about page, not anyone's home.
      expect(await page.getByTestId('system-info').count()).toBe(0);
      await page.waitForLoadState('networkidle');
      await ui.shot(`home-${user}.png`); // scans the text and runs axe-core too
    });
  }

  it("a count opens the list it counts: the applicant's orders in progress", async () => {
    const page = ui.page;
    await ui.signedOut('/login');
    await login(page, 'applicant');
    await at(page, '/');
    const count = await countOf('home-orders-in_progress');
    await page.getByTestId('home-orders-in_progress').click();
    await at(page, '/orders');
    expect(new URL(page.url()).searchParams.get('status')).toBe('in_progress');
    const rows = page.locator('tbody tr.ant-table-row');
    if (count > 0) await visible(rows.first());
    else await visible(page.locator('.ant-empty'));
    expect(await rows.count()).toBe(Math.min(count, 20));
  });

  it('logged no browser errors along the way', () => {
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
