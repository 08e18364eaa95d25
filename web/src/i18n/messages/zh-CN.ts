/**
 * The Chinese dictionary is the source of truth for message keys: every other language must provide exactly
 * these keys (checked by the compiler). Placeholders are written `{name}` and filled by `t(key, { name })`.
 */
export const zhCN = {
  'app.name': '云管',
  'app.fullName': '云管 · 政务云管理平台',
  'app.subtitle': '政务云管理平台',
  'app.logoAlt': '云管标志',

  'nav.console': '控制台',
  'nav.overview': '概览',
  'nav.jurisdictions': '辖区',
  'nav.notFound': '页面不存在',
  'nav.menu': '主菜单',
  'nav.breadcrumb': '当前位置',

  'header.organisation': '所属组织',
  'header.noOrganisation': '未设置默认辖区',
  'header.apiDocs': 'API 文档',

  'user.notSignedIn': '未登录',
  'user.signIn': '登录',

  'language.label': '界面语言',

  'common.loading': '加载中…',
  'common.none': '无',

  'login.documentTitle': '登录',
  'login.heading': '登录',
  'login.version': '版本 {version}',
  'login.jurisdiction': '辖区：{name}',
  'login.noticeTitle': '账号登录暂未开放',
  'login.noticeBody': '统一身份认证/账号登录将在身份认证模块上线后启用。在此之前，控制台仅提供只读的平台信息。',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.enterConsole': '进入控制台',

  'overview.description': '本平台的运行信息与辖区概况。',
  'overview.systemCard': '系统信息',
  'overview.product': '产品',
  'overview.version': '版本',
  'overview.environment': '运行环境',
  'overview.database': '数据库',
  'overview.defaultJurisdiction': '默认辖区',
  'overview.chartCard': '辖区分布',
  'overview.chartTotal': '共 {count} 个辖区',
  'overview.chartSeries': '辖区数量',
  'overview.chartAria': '按类型统计的辖区数量柱状图：{summary}',
  'overview.chartEmpty': '暂无辖区',

  'environment.development': '开发环境',
  'environment.production': '生产环境',
  'database.pglite': '嵌入式数据库（PGlite）',
  'database.postgres': 'PostgreSQL',

  'jurisdictions.description': '市级政务云及其下属的区级政务云和政务云专有域。',
  'jurisdictions.code': '编码',
  'jurisdictions.name': '名称',
  'jurisdictions.kind': '类型',
  'jurisdictions.policyPack': '政策包',
  'jurisdictions.createdAt': '创建时间',
  'jurisdictions.empty': '暂无辖区',

  'kind.city': '市级政务云',
  'kind.district': '区级政务云',
  'kind.dedicated_domain': '政务云专有域',

  'notFound.title': '页面不存在',
  'notFound.subtitle': '控制台中没有地址为 {path} 的页面。',
  'notFound.back': '返回概览',

  'error.loadFailed': '加载失败',
  'error.network': '无法连接服务器，请检查网络后重试。',
  'error.invalidResponse': '服务器返回了无法识别的响应。',
  'error.http': '请求失败（HTTP {status}）',
  'error.requestId': '请求编号',
  'error.retry': '重试',
  'error.unexpectedTitle': '页面出错了',
  'error.unexpectedBody': '错误已自动上报。请刷新页面后重试；如问题持续，请联系平台运维人员。',
  'error.reload': '刷新页面',
  'error.backHome': '返回概览',
  'error.toast': '发生了意外错误，已自动上报。',
};

export type MessageKey = keyof typeof zhCN;
export type Messages = Record<MessageKey, string>;
