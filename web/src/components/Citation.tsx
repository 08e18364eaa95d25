import { Tooltip } from 'antd';
import { useCallback } from 'react';
import { usePolicyPacks } from '../api/hooks/policy';
import { useI18n } from '../i18n';
import { expandCitations } from './citations';

// Citations as people read them (issue 16): "SH 25" is the API's short form; the console writes the
// regulation's title and article, 《上海市政务云管理暂行办法》第二十五条, with the short form on hover.
// The titles come from the policy packs' sources (GET /policy-packs), never from a table in the console.

/** The console's citation formatter: `cite('SH 25')` -> 《上海市政务云管理暂行办法》第二十五条. */
export function useCite(): (text: string | null | undefined) => string {
  const { language } = useI18n();
  const packs = usePolicyPacks();
  const items = packs.data;
  return useCallback(
    (text) => {
      if (!text) return '';
      const titles = new Map<string, string>();
      for (const p of items ?? []) for (const s of p.sources ?? []) titles.set(s.prefix, s.title);
      return expandCitations(text, titles, language);
    },
    [items, language],
  );
}

/** A citation in words, with the short form (as the API and the packs write it) on hover. */
export function Citation({ article }: { article: string | null | undefined }) {
  const cite = useCite();
  if (!article) return null;
  return (
    <Tooltip title={article}>
      <span data-citation={article}>{cite(article)}</span>
    </Tooltip>
  );
}
