import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { type RunningServer, startServer } from '../src/server.ts';
import { VERSION } from '../src/version.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INDEX_HTML = path.join(ROOT, 'web', 'dist', 'index.html');
const RESULTS = path.join(ROOT, 'test-results');
const LANGUAGE_KEY = 'yunguan.language';
/** The error the telemetry test throws on purpose; the only browser error allowed. */
const PROBE = 'e2e probe: deliberate uncaught error';

let dataDir: string | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
const browserErrors: string[] = [];

const url = (pathname: string) => new URL(pathname, server!.url).toString();
const shot = (name: string) => page.screenshot({ path: path.join(RESULTS, name), fullPage: true });

async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor({ state: 'visible' });
  return (await locator.textContent())?.trim() ?? '';
}

async function visible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible' });
}

/** Where the page is, once the client-side router has settled on `pathname`. */
async function at(pathname: string): Promise<void> {
  await page.waitForURL((current) => current.pathname === pathname);
}

beforeAll(async () => {
  if (!existsSync(INDEX_HTML)) {
    throw new Error(`The console is not built: ${INDEX_HTML} is missing. Run \`npm run build:web\` first.`);
  }
  await mkdir(RESULTS, { recursive: true });
  dataDir = await mkdtemp(path.join(tmpdir(), 'yunguan-e2e-'));
  server = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', YUNGUAN_DATA_DIR: dataDir }, ROOT));

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') browserErrors.push(`console.error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('web console', () => {
  it('shows the Chinese frame by default: menu, organisation, user area and overview', async () => {
    await page.goto(url('/'));
    await visible(page.getByRole('menuitem', { name: '概览' }));
    await visible(page.getByRole('menuitem', { name: '辖区' }));
    expect(await textOf(page.getByTestId('organisation'))).toBe('示范市政务云');
    expect(await textOf(page.getByTestId('user-area'))).toContain('未登录');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');

    const systemInfo = page.getByTestId('system-info');
    expect(await textOf(systemInfo)).toContain(VERSION);
    expect(await textOf(systemInfo)).toContain('嵌入式数据库（PGlite）');
    await visible(page.getByRole('img', { name: /按类型统计的辖区数量/ }).locator('canvas'));
    expect(await textOf(page.getByRole('navigation', { name: '当前位置' }))).toContain('概览');
    await page.waitForLoadState('networkidle');
    await shot('console-zh.png');
  });

  it('lists the demo jurisdictions as a tree', async () => {
    await page.getByRole('menuitem', { name: '辖区' }).click();
    await at('/jurisdictions');
    const rows = page.locator('tbody tr.ant-table-row');
    await visible(rows.first());
    expect(await rows.count()).toBe(3);
    const table = await rows.allInnerTexts();
    for (const text of [
      'demo-city',
      '示范市政务云',
      'demo-east',
      '示范市东城区政务云',
      'demo-west',
      '示范市西城区政务云',
    ]) {
      expect(table.join('\n')).toContain(text);
    }
    // The districts hang under the city: one expandable parent row, two indented children.
    expect(await page.locator('tbody tr.ant-table-row-level-0').count()).toBe(1);
    expect(await page.locator('tbody tr.ant-table-row-level-1').count()).toBe(2);
    expect(await textOf(page.getByRole('navigation', { name: '当前位置' }))).toContain('辖区');
    await shot('console-jurisdictions-zh.png');
  });

  it('shows a 404 page for an unknown console route, inside the frame', async () => {
    await page.goto(url('/no-such-page'));
    await visible(page.locator('.ant-result-404'));
    expect(await textOf(page.locator('.ant-result-title'))).toBe('页面不存在');
    await visible(page.getByRole('menuitem', { name: '概览' }));
    await shot('console-404-zh.png');
    await page.getByRole('button', { name: '返回概览' }).click();
    await at('/');
  });

  it('switches to English, asks the API in English, and remembers the choice across a reload', async () => {
    await page.goto(url('/'));
    await page.getByText('English', { exact: true }).click();
    await visible(page.getByRole('menuitem', { name: 'Overview' }));
    await visible(page.getByRole('menuitem', { name: 'Jurisdictions' }));
    expect(await textOf(page.getByTestId('organisation'))).toBe('Demo City Government Cloud');
    expect(await textOf(page.getByTestId('user-area'))).toContain('Not signed in');
    expect(await page.evaluate((key) => window.localStorage.getItem(key), LANGUAGE_KEY)).toBe('en-US');

    const infoRequest = page.waitForRequest((request) => request.url().endsWith('/api/v1/system/info'));
    await page.reload();
    expect((await infoRequest).headers()['accept-language']).toMatch(/^en/);
    await visible(page.getByRole('menuitem', { name: 'Overview' }));
    expect(await textOf(page.getByTestId('organisation'))).toBe('Demo City Government Cloud');
    expect(await page.locator('html').getAttribute('lang')).toBe('en-US');
    expect(await textOf(page.getByTestId('system-info'))).toContain('Embedded database (PGlite)');
    await page.waitForLoadState('networkidle');
    await shot('console-en.png');

    await page.getByRole('menuitem', { name: 'Jurisdictions' }).click();
    await at('/jurisdictions');
    await visible(page.getByText('Demo City East District Cloud'));
    await visible(page.getByText('District cloud').first());

    await page.getByText('中文', { exact: true }).click();
    await visible(page.getByRole('menuitem', { name: '辖区' }));
    expect(await page.evaluate((key) => window.localStorage.getItem(key), LANGUAGE_KEY)).toBe('zh-CN');
  });

  it('shows the login placeholder with its form disabled, and a way into the console', async () => {
    await page.goto(url('/login'));
    expect(await textOf(page.getByTestId('login-notice'))).toContain('统一身份认证/账号登录将在身份认证模块上线后启用');
    const system = await textOf(page.getByTestId('login-system'));
    expect(system).toContain(`版本 ${VERSION}`);
    expect(system).toContain('示范市政务云');
    expect(await page.getByLabel('用户名').isDisabled()).toBe(true);
    expect(await page.getByLabel('密码').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: /登\s*录/ }).isDisabled()).toBe(true);
    await shot('login-zh.png');

    await page.getByRole('link', { name: /进入控制台/ }).click();
    await at('/');
    await visible(page.getByRole('menuitem', { name: '概览' }));
  });

  it('reports an uncaught browser error to the server and tells the user', async () => {
    const report = page.waitForRequest(
      (request) => request.method() === 'POST' && request.url().endsWith('/api/v1/telemetry/client-errors'),
    );
    await page.evaluate((message) => {
      window.setTimeout(() => {
        throw new Error(message);
      });
    }, PROBE);
    const request = await report;
    const body = request.postDataJSON() as { message: string; url: string };
    expect(body.message).toContain(PROBE);
    expect(body.url).toBe(url('/'));
    expect((await request.response())?.status()).toBe(202);
    await visible(page.getByText('发生了意外错误，已自动上报。'));
  });

  it('logged no browser errors along the way', () => {
    const unexpected = browserErrors.filter((error) => !error.includes(PROBE));
    expect(unexpected).toEqual([]);
  });
});
