import { readFileSync } from 'node:fs';
import path from 'node:path';
import { notFound } from '../../platform/errors.ts';
import { PACKAGE_ROOT } from '../../platform/package-root.ts';
import { PACKS } from './packs/index.ts';

// The regulations' own words (issue 16: a citation shows the article's original sentence on hover). The five
// texts in regulations/ are copies of the originals the packs implement (see DOMAIN.md's seeds); each is split
// into its articles here, once, when first asked. The Ningbo and Taizhou copies carry pinyin glosses after some
// characters ("區(qū)"): they are read past, the characters stay as the original writes them.

/** Which text holds which source prefix: a file of two regulations lists them in the order they appear. */
const TEXTS: readonly { file: string; prefixes: readonly string[] }[] = [
  { file: 'shanghai-2022.txt', prefixes: ['SH'] },
  { file: 'liuzhou.txt', prefixes: ['LZ'] },
  { file: 'taizhou-2018.txt', prefixes: ['TZ'] },
  // the notice for comment carries the project rules (annex 1) and then the cloud-platform rules (annex 2)
  { file: 'jiuquan-2018.txt', prefixes: ['JQ-proj', 'JQ'] },
  { file: 'ningbo-2014.txt', prefixes: ['NB'] },
];

export interface RegulationArticle {
  article: number;
  /** the article as the regulation writes it, from "第…条" on; its paragraphs on lines of their own */
  text: string;
}

export interface Regulation {
  prefix: string;
  title: string;
  articles: RegulationArticle[];
}

const NUMERALS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 一 .. 九百九十九 as regulations number their articles (十九, 二十五, 一百零三); NaN for anything else. */
export function fromChineseNumber(text: string): number {
  let total = 0;
  let digit: number | null = null;
  for (const ch of text) {
    if (ch in NUMERALS) digit = NUMERALS[ch] as number;
    else if (ch === '十' || ch === '百') {
      total += (digit ?? 1) * (ch === '十' ? 10 : 100);
      digit = null;
    } else return Number.NaN;
  }
  return total + (digit ?? 0);
}

const ARTICLE = /^第([零一二三四五六七八九十百]+)[条條]/;
// what ends an article: a chapter heading, an annex, the copy-to list, the heading of the next regulation
const CHAPTER = /^第[一二三四五六七八九十]+章/;
const AFTER_ARTICLES = /^(附件|抄送|酒泉市.*办法)/;
// a pinyin gloss after a character: "(qū)", "(fā)" (at least one tone mark, so "(一)" and "(以下简称…)" stay)
// a word processor's bookmark left in the Liuzhou copy
const BOOKMARK = /\[bookmark:[^\]]*\]/g;
const GLOSS = /\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)/g;

/**
 * The articles of each regulation in `text`, in order: numbering that starts again at 第一条 starts the next
 * regulation. Lines before the first article (the notice) and after the last (annexes, copy-to) are not part of any.
 */
export function splitArticles(text: string): RegulationArticle[][] {
  const regulations: RegulationArticle[][] = [];
  let current: RegulationArticle | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(GLOSS, '').replace(BOOKMARK, '').trim();
    if (!line) continue;
    const m = ARTICLE.exec(line);
    const n = m ? fromChineseNumber(m[1] as string) : Number.NaN;
    if (m && Number.isInteger(n) && n > 0) {
      if (n === 1 || regulations.length === 0) regulations.push([]);
      current = { article: n, text: line };
      regulations.at(-1)?.push(current);
    } else if (CHAPTER.test(line) || AFTER_ARTICLES.test(line)) {
      current = null;
    } else if (current) {
      current.text += `\n${line}`;
    }
  }
  return regulations;
}

const REGULATIONS_DIR = path.join(PACKAGE_ROOT, 'src', 'modules', 'policy', 'regulations');

let loaded: Map<string, Regulation> | undefined;

function regulations(): Map<string, Regulation> {
  if (loaded) return loaded;
  const titles = new Map<string, string>();
  for (const pack of PACKS.values()) for (const s of pack.sources) titles.set(s.prefix, s.title);
  const all = new Map<string, Regulation>();
  for (const { file, prefixes } of TEXTS) {
    const parts = splitArticles(readFileSync(path.join(REGULATIONS_DIR, file), 'utf8'));
    prefixes.forEach((prefix, i) => {
      all.set(prefix, { prefix, title: titles.get(prefix) ?? prefix, articles: parts[i] ?? [] });
    });
  }
  loaded = all;
  return all;
}

/** One regulation's articles in its own words, by the prefix the packs cite it with ("SH", "JQ-proj"). */
export function regulationText(prefix: string): Regulation {
  const found = regulations().get(prefix);
  if (!found) throw notFound(`no regulation cited as ${prefix} / 没有此法规`);
  return found;
}

/** The prefixes whose text the server holds. */
export const REGULATION_PREFIXES = TEXTS.flatMap((t) => t.prefixes);
