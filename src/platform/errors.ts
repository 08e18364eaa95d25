/**
 * One error type for the whole platform. A stable machine `code` maps to an HTTP status and a
 * Chinese and English title in one place (`ERRORS`); the HTTP layer renders it as RFC 9457 problem+json.
 */
export const ERRORS = {
  validation_failed: { status: 400, zh: '请求参数无效', en: 'The request is invalid' },
  bad_request: { status: 400, zh: '请求格式错误', en: 'The request is malformed' },
  unauthenticated: { status: 401, zh: '请先登录', en: 'Authentication required' },
  invalid_credentials: { status: 401, zh: '用户名或密码错误', en: 'Wrong user name or password' },
  totp_required: { status: 401, zh: '请输入动态验证码', en: 'A one-time code (TOTP) is required' },
  invalid_totp: { status: 401, zh: '动态验证码错误', en: 'The one-time code is wrong' },
  sso_refused: { status: 401, zh: '统一身份认证登录未通过', en: 'Single sign-on was refused' },
  sso_not_configured: { status: 404, zh: '未配置统一身份认证', en: 'Single sign-on is not configured' },
  account_locked: { status: 423, zh: '账号已锁定', en: 'The account is locked' },
  forbidden: { status: 403, zh: '没有权限执行此操作', en: 'Not allowed' },
  csrf_failed: { status: 403, zh: '请求校验失败，请刷新页面后重试', en: 'CSRF token missing or wrong' },
  password_change_required: { status: 403, zh: '请先修改密码', en: 'The password must be changed first' },
  totp_enrolment_required: { status: 403, zh: '请先绑定动态验证码', en: 'A second factor (TOTP) must be set up first' },
  separation_of_duties: { status: 409, zh: '违反三员分立要求', en: 'Violates the separation of admin duties' },
  mail_not_configured: {
    status: 409,
    zh: '未配置邮件服务，临时密码无法发送到本人邮箱',
    en: 'No mail server is configured: the temporary password cannot go to the account’s e-mail',
  },
  password_rejected: { status: 400, zh: '密码不符合安全策略', en: 'The password does not meet the policy' },
  not_found: { status: 404, zh: '资源不存在', en: 'Not found' },
  route_not_found: { status: 404, zh: '接口不存在', en: 'No such API route' },
  method_not_allowed: { status: 405, zh: '不支持该请求方法', en: 'Method not allowed' },
  conflict: { status: 409, zh: '与现有数据冲突', en: 'Conflict with existing data' },
  cloud_not_permitted: {
    status: 409,
    zh: '该系统不得部署在政务云',
    en: 'This system may not go on the government cloud',
  },
  go_live_not_permitted: { status: 409, zh: '系统尚不具备上线条件', en: 'The system may not go live yet' },
  order_transition_refused: {
    status: 409,
    zh: '订单当前状态不允许此操作',
    en: 'The order cannot make this transition now',
  },
  not_your_step: { status: 403, zh: '当前环节不由您办理', en: 'This step is not yours to act on' },
  own_request: { status: 403, zh: '不得审批本人提交的申请', en: 'Nobody may approve their own request' },
  quota_exceeded: { status: 409, zh: '超出配额', en: 'The quota would be exceeded' },
  order_type_not_provided: {
    status: 422,
    zh: '本辖区政策未规定该类申请',
    en: 'The policy provides no such order type',
  },
  order_rule_violated: { status: 422, zh: '申请不符合政策规定', en: 'The order breaks a policy rule' },
  lead_time_too_short: {
    status: 422,
    zh: '申请未满足规定的提前期',
    en: 'The application is later than the lead time the regulation requires',
  },
  allocation_stopped: { status: 409, zh: '已暂停向该单位分配资源', en: 'Allocations to this unit are stopped' },
  idempotency_key_reused: {
    status: 422,
    zh: '幂等键已用于不同的请求',
    en: 'The idempotency key was used for a different request',
  },
  webhook_target_refused: { status: 422, zh: '回调地址不被允许', en: 'The webhook target is not allowed' },
  payload_too_large: { status: 413, zh: '请求内容过大', en: 'Payload too large' },
  unsupported_media_type: { status: 415, zh: '不支持的内容类型', en: 'Unsupported media type' },
  rate_limited: { status: 429, zh: '请求过于频繁', en: 'Too many requests' },
  bad_gateway: { status: 502, zh: '上游系统无响应', en: 'An upstream system did not answer' },
  internal_error: { status: 500, zh: '服务器内部错误', en: 'Internal server error' },
  not_ready: { status: 503, zh: '服务尚未就绪', en: 'Service not ready' },
  service_busy: { status: 503, zh: '系统繁忙，请稍后重试', en: 'The service is busy; try again shortly' },
  database_unavailable: {
    status: 503,
    zh: '数据库暂时无法访问，请稍后重试',
    en: 'The database is unavailable; try again shortly',
  },
  storage_full: { status: 503, zh: '数据库存储空间已满，请联系运维人员', en: 'The database storage is full' },
  payload_malformed: { status: 400, zh: '监测数据格式错误', en: 'The monitoring payload is malformed' },
  sample_out_of_window: {
    status: 400,
    zh: '监测样本超出可接受的时间窗口',
    en: 'Samples lie outside the accepted window',
  },
  pull_target_refused: {
    status: 422,
    zh: '监测拉取地址不被允许',
    en: 'The Prometheus pull address is not allowed',
  },
  settlement_outdated: {
    status: 409,
    zh: '结算结果已过时，请重新计算',
    en: 'The settlement is out of date; recompute it first',
  },
  shared_data_not_provided: {
    status: 422,
    zh: '本辖区政策未提供数据共享服务',
    en: 'The jurisdiction’s policy does not provide shared data',
  },
  data_resource_not_shared: { status: 422, zh: '该数据资源不予共享', en: 'This data resource is not shared' },
  data_transition_refused: {
    status: 409,
    zh: '当前状态不允许此操作',
    en: 'The shared-data item cannot make this transition now',
  },
  data_endpoint_refused: {
    status: 422,
    zh: '数据服务地址不被允许',
    en: 'The data endpoint address is not allowed',
  },
  data_grant_required: { status: 403, zh: '尚未获得该数据资源的授权', en: 'No grant for this data resource' },
  grant_revoked: { status: 403, zh: '数据授权已撤销', en: 'The data grant was revoked' },
  grant_expired: { status: 403, zh: '数据授权已过期', en: 'The data grant has expired' },
  grant_not_yet_valid: { status: 403, zh: '数据授权尚未生效', en: 'The data grant is not valid yet' },
  fields_not_granted: { status: 403, zh: '所请求的信息项未获授权', en: 'Fields outside the grant were asked for' },
  data_resource_withdrawn: { status: 403, zh: '该数据资源已下架', en: 'The data resource was withdrawn' },
  data_provider_unavailable: {
    status: 502,
    zh: '数据提供方系统无法访问',
    en: 'The providing system could not be reached',
  },
  data_provider_answer_invalid: {
    status: 502,
    zh: '数据提供方系统返回的数据无法识别',
    en: 'The providing system’s answer could not be read',
  },
  // legacy data centres (modules/datacentres, LZ 12-19)
  data_centre_state: {
    status: 409,
    zh: '数据中心当前状态不允许此操作',
    en: 'The data centre or its application cannot make this transition now',
  },
  data_centre_not_provided: {
    status: 422,
    zh: '本辖区政策未规定存量数据中心认定',
    en: 'The jurisdiction’s policy provides no data-centre certification',
  },
  data_centre_rented: {
    status: 422,
    zh: '租用第三方数据中心不适用认定，应在现有租用合约期内完成迁移',
    en: 'A rented room is not certified: it migrates within its current lease',
  },
  // federation between installations (modules/federation, issue 22)
  federation_unknown_installation: {
    status: 403,
    zh: '未登记的下级平台',
    en: 'No active link for this installation',
  },
  federation_bad_signature: { status: 403, zh: '签名验证未通过', en: 'The signature does not verify' },
  federation_wrong_district: {
    status: 403,
    zh: '报送的区级平台标识与登记不符',
    en: 'The message claims another district',
  },
  federation_replayed: { status: 409, zh: '该批次已处理', en: 'This batch was applied already' },
  federation_out_of_sequence: {
    status: 409,
    zh: '批次序号不连续，请先补报缺失批次',
    en: 'Batch out of sequence: send the missing batch first',
  },
  federation_enrolment_refused: { status: 403, zh: '接入登记未通过', en: 'The enrolment was refused' },
  federation_not_linked: { status: 409, zh: '尚未与对方平台建立连接', en: 'The link is not established' },
  project_transition_refused: {
    status: 409,
    zh: '项目当前状态不允许此操作',
    en: 'The project cannot make this transition now',
  },
  it_project_refused: {
    status: 409,
    zh: '项目申报、审批或验收不符合规定',
    en: 'The IT project cannot take this step',
  },
  pdf_font_unavailable: {
    status: 503,
    zh: '服务器未安装中文字体，暂不能生成 PDF（可下载 Excel）',
    en: 'No Chinese font on the server: the PDF cannot be made (the Excel workbook is available)',
  },
  duties_not_separated: {
    status: 409,
    zh: '起草与审核须由不同人员担任',
    en: 'The draft and its review must be done by different people',
  },
  federation_link_revoked: {
    status: 403,
    zh: '该平台间连接已撤销，报送不再接收',
    en: 'The link was revoked: nothing more is accepted on it',
  },
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An offending input field: where it is (`body.name`, `query.days`) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  /** seconds for the Retry-After header (a rate limit's own wait); the code's default when unset */
  retryAfter?: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly fields?: FieldError[],
  ) {
    super(detail ?? ERRORS[code].en);
    this.name = 'AppError';
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

export const notFound = (what: string) => new AppError('not_found', what);
export const invalid = (field: string, message: string) =>
  new AppError('validation_failed', `${field}: ${message}`, [{ field, message }]);
