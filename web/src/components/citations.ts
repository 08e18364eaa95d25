// Citations as people read them (issue 16): "SH 25" is the API's short form; the console writes the
// regulation's title and article, 《上海市政务云管理暂行办法》第二十五条. Pure text functions, tested in
// test/citations.test.ts; the titles come from the policy packs' sources (components/Citation.tsx).

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1..999 in Chinese numerals as regulations write them: 十, 十九, 二十五, 一百零三. */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) return String(n);
  if (n < 10) return DIGITS[n] as string;
  if (n < 20) return `十${n % 10 ? DIGITS[n % 10] : ''}`;
  if (n < 100) return `${DIGITS[Math.floor(n / 10)]}十${n % 10 ? DIGITS[n % 10] : ''}`;
  const rest = n % 100;
  const head = `${DIGITS[Math.floor(n / 100)]}百`;
  if (rest === 0) return head;
  if (rest < 10) return `${head}零${DIGITS[rest]}`;
  return `${head}${rest < 20 ? '一' : ''}${chineseNumber(rest)}`;
}

// A short citation: source prefix, article, an optional item "(5)", or an annex ("annex 3").
const CITATION = /\b(JQ-proj|SH|LZ|TZ|JQ|NB) (?:(annex) (\d+)|(\d+)(?:\((\d+)\))?)/g;
const ARTICLE_PAIR = /\b(JQ-proj|SH|LZ|TZ|JQ|NB) (\d+)\/(\d+)\b/g;

function articleText(
  article: string | undefined,
  item: string | undefined,
  annex: string | undefined,
  language: string,
): string {
  if (annex) return language === 'en-US' ? ` Annex ${annex}` : `附件${chineseNumber(Number(annex))}`;
  if (language === 'en-US') return ` Art. ${article}${item ? `(${item})` : ''}`;
  return `第${chineseNumber(Number(article))}条${item ? `第（${chineseNumber(Number(item))}）项` : ''}`;
}

/** A short citation as parsed: the regulation's prefix and the article (with its item) or the annex. */
export interface CitedArticle {
  prefix: string;
  article?: number;
  item?: number;
  annex?: number;
  /** the short form as written ("SH 25") */
  short: string;
}

/** A run of text: plain, or one citation written out (its `citation` says what it cites). */
export interface CitationSegment {
  text: string;
  citation?: CitedArticle;
}

/**
 * `text` cut into plain runs and citations written out as the regulation's title and article; a citation of the
 * same regulation right after another drops the title (《…》第十八条、第二十条). Prefixes not known stay as they are.
 */
export function citationSegments(
  text: string,
  titles: ReadonlyMap<string, string>,
  language: string,
): CitationSegment[] {
  const segments: CitationSegment[] = [];
  const plain = (run: string) => {
    if (!run) return;
    const last = segments.at(-1);
    if (last && !last.citation) last.text += run;
    else segments.push({ text: run });
  };
  let previous: string | null = null;
  let lastEnd = 0;
  // "SH 23/24" cites two articles of one regulation: read as "SH 23, SH 24" (one title, both articles).
  text = text.replace(ARTICLE_PAIR, '$1 $2, $1 $3');
  for (const m of text.matchAll(CITATION)) {
    const [whole, prefix, annexWord, annexNo, article, item] = m as unknown as [
      string,
      string,
      string | undefined,
      string | undefined,
      string | undefined,
      string | undefined,
    ];
    const title = titles.get(prefix);
    const between = text.slice(lastEnd, m.index);
    if (!title) {
      plain(between + whole);
      previous = null;
    } else {
      const sameAsBefore = previous === prefix && /^\s*[,，、]\s*$/.test(between);
      const cited = articleText(article, item, annexWord ? annexNo : undefined, language);
      const citation: CitedArticle = annexWord
        ? { prefix, annex: Number(annexNo), short: whole }
        : { prefix, article: Number(article), ...(item ? { item: Number(item) } : {}), short: whole };
      if (sameAsBefore) {
        plain(language === 'en-US' ? ', ' : '、');
        segments.push({ text: cited.trim(), citation });
      } else {
        plain(between);
        segments.push({ text: `《${title}》${cited}`, citation });
      }
      previous = prefix;
    }
    lastEnd = (m.index ?? 0) + whole.length;
  }
  plain(text.slice(lastEnd));
  return segments;
}

/** Replaces each short citation in `text` by the regulation's title and article (see citationSegments). */
export function expandCitations(text: string, titles: ReadonlyMap<string, string>, language: string): string {
  return citationSegments(text, titles, language)
    .map((s) => s.text)
    .join('');
}

/**
 * The words a citation points to, from its article's text: the item's own paragraph when an item is cited
 * ("(五)…" or "5．…") and the article has it, the whole article otherwise.
 */
export function citedWords(articleText: string, item?: number): string {
  if (item === undefined) return articleText;
  const n = chineseNumber(item);
  const line = articleText
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith(`(${n})`) || l.startsWith(`（${n}）`) || new RegExp(`^${item}[.．、]`).test(l));
  return line ?? articleText;
}
