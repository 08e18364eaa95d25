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

export const THEME: ThemeConfig = {
  token: { colorPrimary: '#1677ff', borderRadius: 6, fontFamily: FONT_FAMILY },
};
