import { describe, expect, it } from 'vitest';
import { PACKS } from '../src/modules/policy/index.ts';
import { chineseNumber, expandCitations } from '../web/src/components/citations.ts';

// The console writes citations as the regulation's title and article (issue 16); the titles are the packs'.
const titles = new Map([...PACKS.values()].flatMap((p) => p.sources.map((s) => [s.prefix, s.title] as const)));

describe('citations in words', () => {
  it('writes article numbers as regulations do', () => {
    expect([1, 10, 11, 19, 20, 25, 100, 103, 115, 120].map(chineseNumber)).toEqual([
      '一',
      '十',
      '十一',
      '十九',
      '二十',
      '二十五',
      '一百',
      '一百零三',
      '一百一十五',
      '一百二十',
    ]);
  });

  it('expands short citations to title and article, items and annexes, one title per run of one regulation', () => {
    expect(expandCitations('SH 25', titles, 'zh-CN')).toBe('《上海市政务云管理暂行办法》第二十五条');
    expect(expandCitations('SH 18, SH 20', titles, 'zh-CN')).toBe('《上海市政务云管理暂行办法》第十八条、第二十条');
    expect(expandCitations('LZ 21(5)', titles, 'zh-CN')).toBe('《柳州市政务云管理实施细则》第二十一条第（五）项');
    expect(expandCitations('JQ-proj 12', titles, 'zh-CN')).toBe(
      '《酒泉市信息化及智慧城市项目建设管理办法（征求意见稿）》第十二条',
    );
    expect(expandCitations('JQ annex 3', titles, 'zh-CN')).toBe(
      '《酒泉市云计算（大数据）中心政务云平台管理办法（征求意见稿）》附件三',
    );
    expect(expandCitations('逾期 (TZ 10) 未办', titles, 'zh-CN')).toBe(
      '逾期 (《泰州市政务云平台管理办法》第十条) 未办',
    );
    expect(expandCitations('SH 20', titles, 'en-US')).toBe('《上海市政务云管理暂行办法》 Art. 20');
    // unknown prefixes and plain text stay as they are
    expect(expandCitations('XX 5; ISO 27001', titles, 'zh-CN')).toBe('XX 5; ISO 27001');
  });

  it('knows every source the packs cite', () => {
    for (const pack of PACKS.values()) {
      for (const s of pack.sources)
        expect(expandCitations(`${s.prefix} 1`, titles, 'zh-CN')).toBe(`《${s.title}》第一条`);
    }
  });
});
