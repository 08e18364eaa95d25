import { Tooltip } from 'antd';
import { Fragment, useCallback, useMemo } from 'react';
import { usePolicyPacks, useRegulation } from '../api/hooks/policy';
import { useI18n } from '../i18n';
import { type CitedArticle, citationSegments, citedWords, expandCitations } from './citations';

// Citations as people read them (issue 16): "SH 25" is the API's short form; the console writes the
// regulation's title and article, 《上海市政务云管理暂行办法》第二十五条, with the article's original sentence on
// hover. The titles come from the policy packs' sources (GET /policy-packs), the sentences from the
// regulations' texts (GET /regulations/:prefix), never from a table in the console.

function useTitles(): ReadonlyMap<string, string> {
  const items = usePolicyPacks().data;
  return useMemo(() => {
    const titles = new Map<string, string>();
    for (const p of items ?? []) for (const s of p.sources ?? []) titles.set(s.prefix, s.title);
    return titles;
  }, [items]);
}

/** The console's citation formatter, for plain strings: `cite('SH 25')` -> 《上海市政务云管理暂行办法》第二十五条. */
export function useCite(): (text: string | null | undefined) => string {
  const { language } = useI18n();
  const titles = useTitles();
  return useCallback((text) => (text ? expandCitations(text, titles, language) : ''), [titles, language]);
}

/** What a hovered citation shows: the cited article (or item) in the regulation's own words. */
function CitedWords({ citation }: { citation: CitedArticle }) {
  const regulation = useRegulation(citation.prefix);
  const { t } = useI18n();
  if (citation.article === undefined) return <>{citation.short}</>;
  if (regulation.isPending) return <>{t('common.loading')}</>;
  const article = regulation.data?.articles.find((a) => a.article === citation.article);
  if (!article) return <>{citation.short}</>;
  return (
    <span lang="zh-CN" style={{ whiteSpace: 'pre-line' }} data-testid="citation-words">
      {citedWords(article.text, citation.item)}
    </span>
  );
}

/**
 * Text that may carry short citations (a note from a pack, a sentence the server wrote, a translated message
 * with an article in it): each citation written out, with its original sentence on hover.
 */
export function CitedText({ text }: { text: string | null | undefined }) {
  const { language } = useI18n();
  const titles = useTitles();
  if (!text) return null;
  return (
    <>
      {citationSegments(text, titles, language).map((s, i) =>
        s.citation ? (
          <Tooltip
            // biome-ignore lint/suspicious/noArrayIndexKey: segments of one text, in order
            key={i}
            title={<CitedWords citation={s.citation} />}
            styles={{ root: { maxWidth: 560 } }}
          >
            <span data-citation={s.citation.short} style={{ textDecoration: 'underline dotted' }}>
              {s.text}
            </span>
          </Tooltip>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments of one text, in order
          <Fragment key={i}>{s.text}</Fragment>
        ),
      )}
    </>
  );
}

/** A citation in words, with the article's original sentence on hover. */
export function Citation({ article }: { article: string | null | undefined }) {
  return <CitedText text={article} />;
}
