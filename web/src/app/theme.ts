import type { ThemeConfig } from 'antd';

/** Chinese system fonts are named explicitly, so government desktops (Windows, UOS, Kylin) pick a CJK face. */
const FONT_FAMILY = [
  '-apple-system',
  'BlinkMacSystemFont',
  "'Segoe UI'",
  'Roboto',
  "'Helvetica Neue'",
  'Arial',
  "'PingFang SC'",
  "'Hiragino Sans GB'",
  "'Microsoft YaHei'",
  "'Noto Sans CJK SC'",
  "'Noto Sans SC'",
  "'WenQuanYi Micro Hei'",
  'sans-serif',
].join(', ');

/**
 * Colours meet WCAG 2.1 AA contrast (4.5:1 for text; checked by axe-core in the browser suite): the primary
 * blue one step darker than Ant Design's default (white on it, and it on white, read at 6:1), the error red likewise darker, and secondary
 * text darker than its 45 % black.
 */
export const THEME: ThemeConfig = {
  token: {
    colorPrimary: '#0958d9',
    // hovered and pressed primaries keep white text at 4.5:1 (the derived hover #4096ff is about 3:1; a pointer
    // left on a button after a click shows it)
    colorPrimaryHover: '#003eb3',
    colorPrimaryActive: '#002c8c',
    colorLink: '#0958d9',
    colorLinkHover: '#003eb3',
    colorError: '#cf1322',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    // the backgrounds derived from the darker success and warning colours are dark themselves (#adb8a5 under
    // green text reads at 2.7:1): Ant Design's light defaults keep status tags and alerts at 4.5:1 (axe, issue 16)
    colorSuccessBg: '#f6ffed',
    colorSuccessBorder: '#b7eb8f',
    colorWarningBg: '#fff7e6',
    colorWarningBorder: '#ffd591',
    // the 'processing' status tag writes in the info colour: Ant Design's #1677ff is under 4.5:1 on its background
    colorInfo: '#0958d9',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    colorTextSecondary: 'rgba(0, 0, 0, 0.62)',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    borderRadius: 6,
    fontFamily: FONT_FAMILY,
  },
  components: {
    Breadcrumb: { linkColor: 'rgba(0, 0, 0, 0.62)', separatorColor: 'rgba(0, 0, 0, 0.62)' },
    // the labels of description lists are tertiary text (45 % black) by default: under 4.5:1 (axe, issue 16)
    Descriptions: { labelColor: 'rgba(0, 0, 0, 0.62)' },
  },
};
