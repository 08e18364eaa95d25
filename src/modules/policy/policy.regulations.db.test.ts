import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { PACKS } from './packs/index.ts';

// A citation shows the article's original sentence on hover (issue 16): GET /regulations/:prefix answers each
// regulation the packs cite, article by article, in its own words. Every article a pack cites must be there.
let t: TestApp;

beforeAll(async () => {
  t = await testApp({ clock: new ManualClock('2026-11-23T02:00:00Z') });
}, 180_000);
afterAll(() => t?.close());

interface Answer {
  prefix: string;
  title: string;
  articles: { article: number; text: string }[];
}

async function regulation(prefix: string): Promise<Answer> {
  const res = await t.app.inject({ url: `/api/v1/regulations/${prefix}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Every "SH 19", "JQ 10(1)", "LZ annex 3" a pack writes, in its values and in its notes. */
function citationsIn(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\b(JQ-proj|SH|LZ|TZ|JQ|NB) (\d+)/g)) found.add(`${m[1]} ${m[2]}`);
  } else if (Array.isArray(value)) for (const v of value) citationsIn(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) citationsIn(v, found);
  return found;
}

describe('the regulations in their own words', () => {
  it('Shanghai article 19 is the test-and-open article, five working days, in the original sentence', async () => {
    const sh = await regulation('SH');
    expect(sh.title).toBe('上海市政务云管理暂行办法');
    expect(sh.articles).toHaveLength(35);
    const art19 = sh.articles.find((a) => a.article === 19);
    expect(art19?.text.startsWith('第十九条(测试与开通)')).toBe(true);
    expect(art19?.text).toContain('在五个工作日内完成审核并开通政务云测试资源');
    // the article ends where the next begins
    expect(art19?.text).not.toContain('第二十条');
    // the last article, after the chapter heading 第七章 附则 (which belongs to no article)
    expect(sh.articles.at(-1)?.text).toBe('第三十五条(实施日期)\n本办法自2022年5月1日起实施,由市政府办公厅负责解释。');
  });

  it('the Jiuquan notice holds two regulations: the project rules (18 articles) and the cloud rules (31)', async () => {
    const project = await regulation('JQ-proj');
    const cloud = await regulation('JQ');
    expect(project.articles.map((a) => a.article)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    expect(cloud.articles.map((a) => a.article)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(project.articles.at(-1)?.text).toMatch(/^第十八条\s+本办法自发布之日起试行。$/);
    expect(cloud.articles.find((a) => a.article === 10)?.text).toContain('(一)申请开通');
  });

  it('Ningbo is read past its pinyin glosses, in its traditional characters', async () => {
    const nb = await regulation('NB');
    const art5 = nb.articles.find((a) => a.article === 5)?.text ?? '';
    expect(art5.startsWith('第五條 市發改委')).toBe(true);
    expect(art5).not.toMatch(/\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)/);
  });

  it('every article any pack cites is in its regulation', async () => {
    const missing: string[] = [];
    const texts = new Map<string, Answer>();
    for (const pack of PACKS.values()) {
      for (const citation of citationsIn(pack)) {
        const [prefix, no] = citation.split(' ') as [string, string];
        if (!texts.has(prefix)) texts.set(prefix, await regulation(prefix));
        if (!texts.get(prefix)?.articles.some((a) => a.article === Number(no))) missing.push(`${pack.id}: ${citation}`);
      }
    }
    expect(missing).toEqual([]);
    expect(texts.size).toBe(6);
  });

  it('a prefix no pack cites is 404; a malformed one 400', async () => {
    expect((await t.app.inject({ url: '/api/v1/regulations/BJ' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/regulations/sh;drop' })).statusCode).toBe(400);
  });
});
