import { describe, expect, it } from 'vitest';
import { PACKS } from '../src/modules/policy/index.ts';
import { chineseNumber, citationSegments, citedWords, expandCitations } from '../web/src/components/citations.ts';

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
    // two articles written as one: both written out
    expect(expandCitations('见 SH 23/24 办理', titles, 'zh-CN')).toBe(
      '见 《上海市政务云管理暂行办法》第二十三条、第二十四条 办理',
    );
    // unknown prefixes and plain text stay as they are
    expect(expandCitations('XX 5; ISO 27001', titles, 'zh-CN')).toBe('XX 5; ISO 27001');
  });

  it('knows every source the packs cite', () => {
    for (const pack of PACKS.values()) {
      for (const s of pack.sources)
        expect(expandCitations(`${s.prefix} 1`, titles, 'zh-CN')).toBe(`《${s.title}》第一条`);
    }
  });

  it('cuts a text into plain runs and citations, each knowing what it cites (for the hover)', () => {
    expect(citationSegments('逾期见 SH 18, SH 20 及 LZ 21(5)、JQ annex 3', titles, 'zh-CN')).toEqual([
      { text: '逾期见 ' },
      { text: '《上海市政务云管理暂行办法》第十八条', citation: { prefix: 'SH', article: 18, short: 'SH 18' } },
      { text: '、' },
      { text: '第二十条', citation: { prefix: 'SH', article: 20, short: 'SH 20' } },
      { text: ' 及 ' },
      {
        text: '《柳州市政务云管理实施细则》第二十一条第（五）项',
        citation: { prefix: 'LZ', article: 21, item: 5, short: 'LZ 21(5)' },
      },
      { text: '、' },
      {
        text: '《酒泉市云计算（大数据）中心政务云平台管理办法（征求意见稿）》附件三',
        citation: { prefix: 'JQ', annex: 3, short: 'JQ annex 3' },
      },
    ]);
    expect(citationSegments('XX 5 only', titles, 'zh-CN')).toEqual([{ text: 'XX 5 only' }]);
  });

  it('shows the cited item’s own paragraph when the article has it, the whole article otherwise', () => {
    const art = '第十条  使用部门(单位)要根据业务需求,具体业务办理流程如下:\n(一)申请开通。甲\n（二）申请变更。乙';
    expect(citedWords(art, 1)).toBe('(一)申请开通。甲');
    expect(citedWords(art, 2)).toBe('（二）申请变更。乙');
    expect(citedWords(art, 3)).toBe(art);
    expect(citedWords(art)).toBe(art);
    expect(citedWords('第二十一条 流程:\n5．扩容。丙', 5)).toBe('5．扩容。丙');
  });
});
