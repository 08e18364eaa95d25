import { describe, expect, it } from 'vitest';
import { PACKS } from '../policy/index.ts';
import { filterCsv, jsonRecords, keepFields } from './gateway.format.ts';

describe('the sharedData section of every pack', () => {
  it('Ningbo provides shared data (NB 14) with a default deadline the city sets; the others do not provide it', () => {
    const values = [...PACKS.values()].map((p) => [
      p.id,
      p.sharedData.provided.value,
      p.sharedData.provided.article,
      p.sharedData.errorCorrectionWorkingDays.value,
    ]);
    expect(values.sort()).toEqual(
      [
        ['jiuquan-2018', false, null, null],
        ['liuzhou', false, null, null],
        ['ningbo-2014', true, 'NB 14', 10],
        ['shanghai-2022', false, null, null],
        ['taizhou-2018', false, null, null],
      ].sort(),
    );
    for (const pack of PACKS.values()) {
      expect(pack.sharedData.provided.note, pack.id).toBeTruthy();
      expect(pack.sharedData.errorCorrectionWorkingDays.note, pack.id).toMatch(/override/);
    }
  });
});

describe('what the gateway keeps of an answer', () => {
  it('finds the records of the usual JSON shapes, and refuses what holds none', () => {
    const r = [{ a: 1, b: 2 }];
    expect(jsonRecords(JSON.stringify(r))).toEqual(r);
    expect(jsonRecords(JSON.stringify({ records: r }))).toEqual(r);
    expect(jsonRecords(JSON.stringify({ code: 0, data: { list: r } }))).toEqual(r);
    expect(jsonRecords(JSON.stringify({ a: 1 }))).toEqual([{ a: 1 }]);
    expect(jsonRecords('[1, 2]')).toBeNull();
    expect(jsonRecords('not json')).toBeNull();
  });

  it('keeps only the allowed fields; a field named __proto__ stays a field', () => {
    const [kept] = keepFields(jsonRecords('[{"a":1,"b":2,"__proto__":{"polluted":true}}]') ?? [], ['a', '__proto__']);
    expect(Object.keys(kept ?? {})).toEqual(['a', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
  });

  it('filters CSV columns, quoting kept', () => {
    const out = filterCsv('\uFEFFid,name,secret\n1,"陈, 一",x\n2,林二,y\n', ['name', 'id']);
    expect(out).toEqual({ csv: 'name,id\n"陈, 一",1\n林二,2\n', count: 2 });
    expect(filterCsv('a,b\n1\n', ['a'])).toBeNull();
  });
});
