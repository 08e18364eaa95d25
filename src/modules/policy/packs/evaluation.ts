// The evaluation sections of the five packs (效能评估). What each regulation says is cited; the weights, band
// thresholds, appeal window and survey questions no regulation gives are the city's choice and say so.

const CITY = 'not provided by the regulation, the city’s choice / 办法未规定，由本市确定';

const RULES = {
  on_cloud_rate: '非涉密系统上云数（含保留机房过渡期内的系统）/ 非涉密系统总数 × 100；无非涉密系统按满分',
  resource_efficiency: '(监测资源数 − 期内未整改的闲置/僵尸发现数) / 监测资源数 × 100，最低 0；无监测资源按满分',
  security_management: '上云非涉密系统中等保已备案且已签上云安全承诺书的系统数 / 上云非涉密系统数 × 100；无系统按满分',
  response: '期内完成的工单中按时完成数 / 完成数 × 100（仅计服务商自身时限）；无工单按满分',
  satisfaction: '各使用单位问卷评分（1-5 分）之和 × 20 / 评分项数；无答卷按满分',
  quality: '运行管理单位评估员现场检查、安全检查后录入的 0-100 分（另一人审核）',
  dc_construction:
    '保留机房对照认定标准（网络、技术、规模、运维、安全）的自查项中符合项数 / 自查项数 × 100（多间机房合计）',
  dc_security: '运行管理单位评估员检查安全运行状况（等保测评、安全事件、整改）后录入的 0-100 分，附检查材料',
  dc_response: '运行管理单位评估员核查云服务响应记录后录入的 0-100 分，附核查材料',
  dc_satisfaction: '运行管理单位评估员汇总服务对象满意度调查后录入的 0-100 分，附调查材料',
  rectification:
    '期内到期（或期内答复）的闲置/僵尸资源整改警告中，使用单位在整改期限内答复且未被退回的数 / 警告数 × 100；无警告按满分',
  quota_use: '各项已核定配额（计算、内存、存储、带宽等）已使用量 / 配额 × 100（单项最高 100）的平均数；无配额按满分',
  own_deadlines: '期内使用单位自身办理的工单环节（仅计本单位时限）中按时办理数 / 环节数 × 100；无环节按满分',
  disputes:
    '(期内交付回执份数 − 被使用单位提出异议的份数) / (回执份数 + 资源核对差异数) × 100，最低 0；无回执且无差异按满分',
  availability: '(评估期时长 − 服务商非计划故障时长，重叠合并) / 评估期时长 × 100（运维模块故障记录）；无故障为 100',
} as const;

type Art = string | null;

export function evaluationSection(a: {
  unitArticle: Art;
  unitNote?: string;
  providerArticle: Art;
  providerNote?: string;
  onCloud: Art;
  efficiency: Art;
  security: Art;
  response: Art;
  satisfaction: Art;
  quality: Art;
  bandsArticle: Art;
  bands: { min: string; coefficient: string; zh: string }[] | null;
  bandsNote: string;
  appealArticle: Art;
  period?: { value: 'annual' | 'quarterly'; article: Art; note: string };
  /** the card of units keeping their own data centre for now, where the regulation evaluates them (LZ 30(2)) */
  dataCentreArticle?: string;
  /** the article that makes the result a basis of next year's allocation (LZ 30(1), SH 34) */
  allocationArticle: Art;
  allocationNote: string;
  /** the article that makes the result a basis of the provider's fee (SH 34), with the city's bands; else null */
  providerFee: { article: Art; bands: { min: string; adjustment: string; zh: string }[] | null; note: string };
}) {
  const note = (article: Art) => (article === null ? { note: CITY } : {});
  return {
    period: a.period ?? {
      value: 'annual' as const,
      article: a.unitArticle ?? a.providerArticle,
      note: `annual: ${CITY}`,
    },
    appealWorkingDays: { value: 5, article: a.appealArticle, note: `5 working days from publication: ${CITY}` },
    coefficientMonths: {
      value: 12,
      article: a.bandsArticle,
      note: `a published result sets the coefficient for 12 months from the month the authority names: ${CITY}`,
    },
    bands: { value: a.bands, article: a.bandsArticle, note: a.bandsNote },
    allocationAdvice: {
      value: a.allocationArticle ? { raiseFrom: '90', cutBelow: '60', cutShare: '0.10' } : null,
      article: a.allocationArticle,
      note: a.allocationArticle
        ? `${a.allocationNote}; thresholds (raise from 90, cut below 60 by 10%): ${CITY}`
        : `${a.allocationNote}: no advice`,
    },
    providerFee: { value: a.providerFee.bands, article: a.providerFee.article, note: a.providerFee.note },
    surveyQuestions: [
      { id: 'response', zh: '服务响应是否及时' },
      { id: 'quality', zh: '云服务性能、稳定性、可用性是否满意' },
      { id: 'attitude', zh: '服务态度与沟通是否满意' },
    ],
    scorecards: {
      using_unit: {
        version: '2', // 2: rectification, quota use and own deadlines added (issue 17)
        article: a.unitArticle,
        note: a.unitNote ?? `weights: ${CITY}`,
        indicators: [
          {
            id: 'on_cloud_rate' as const,
            zh: '非涉密系统上云率',
            weight: '0.30',
            source: 'computed' as const,
            rule: RULES.on_cloud_rate,
            article: a.onCloud,
            ...note(a.onCloud),
          },
          {
            id: 'resource_efficiency' as const,
            zh: '云资源使用效率',
            weight: '0.20',
            source: 'computed' as const,
            rule: RULES.resource_efficiency,
            article: a.efficiency,
            ...note(a.efficiency),
          },
          {
            id: 'rectification' as const,
            zh: '闲置资源整改及时性',
            weight: '0.10',
            source: 'computed' as const,
            rule: RULES.rectification,
            article: a.efficiency,
            note: a.efficiency
              ? `part of ${a.efficiency}'s resource-use efficiency; the warnings are SH 25's flow; weight: ${CITY}`
              : CITY,
          },
          {
            id: 'quota_use' as const,
            zh: '配额使用率',
            weight: '0.10',
            source: 'computed' as const,
            rule: RULES.quota_use,
            article: a.efficiency,
            note: a.efficiency ? `part of ${a.efficiency}'s resource-use efficiency; weight: ${CITY}` : CITY,
          },
          {
            id: 'security_management' as const,
            zh: '信息系统安全管理',
            weight: '0.20',
            source: 'computed' as const,
            rule: RULES.security_management,
            article: a.security,
            ...note(a.security),
          },
          {
            id: 'own_deadlines' as const,
            zh: '本单位办理时限',
            weight: '0.10',
            source: 'computed' as const,
            rule: RULES.own_deadlines,
            article: null,
            note: `no regulation names it as an evaluation indicator; the indicator and its weight: ${CITY}`,
          },
        ],
      },
      provider: {
        version: '2', // 2: disputes and availability added (issue 17)
        article: a.providerArticle,
        note: a.providerNote ?? `weights: ${CITY}`,
        indicators: [
          {
            id: 'response' as const,
            zh: '服务响应',
            weight: '0.30',
            source: 'computed' as const,
            rule: RULES.response,
            article: a.response,
            ...note(a.response),
          },
          {
            id: 'satisfaction' as const,
            zh: '服务满意度',
            weight: '0.20',
            source: 'survey' as const,
            rule: RULES.satisfaction,
            article: a.satisfaction,
            ...note(a.satisfaction),
          },
          {
            id: 'quality' as const,
            zh: '服务质量',
            weight: '0.20',
            source: 'manual' as const,
            enteredBy: 'ops_evaluator',
            rule: RULES.quality,
            article: a.quality,
            ...note(a.quality),
          },
          {
            id: 'disputes' as const,
            zh: '交付异议与核对差异',
            weight: '0.15',
            source: 'computed' as const,
            rule: RULES.disputes,
            article: a.quality,
            note: a.quality ? `part of ${a.quality}'s service quality; weight: ${CITY}` : CITY,
          },
          {
            id: 'availability' as const,
            zh: '服务可用性与故障',
            weight: '0.15',
            source: 'computed' as const,
            rule: RULES.availability,
            article: a.quality,
            note: a.quality
              ? `part of ${a.quality}'s service quality (performance, stability, availability); weight: ${CITY}`
              : CITY,
          },
        ],
      },
      ...(a.dataCentreArticle ? { data_centre: dataCentreCard(a.dataCentreArticle) } : {}),
    },
  };
}

/** LZ 30(2): 暂时保留自建数据中心的建设情况、安全运行状况、云服务响应及时性和云服务满意度; weights are the city's. */
function dataCentreCard(article: string) {
  const manual = (id: 'dc_security' | 'dc_response' | 'dc_satisfaction', zh: string) => ({
    id,
    zh,
    weight: '0.25',
    source: 'manual' as const,
    enteredBy: 'ops_evaluator',
    rule: RULES[id],
    article,
  });
  return {
    version: '1',
    article,
    note: `${article}: the four named aspects; equal weights and the scoring rules: ${CITY}`,
    indicators: [
      {
        id: 'dc_construction' as const,
        zh: '自建数据中心建设情况',
        weight: '0.25',
        source: 'computed' as const,
        rule: RULES.dc_construction,
        article,
      },
      manual('dc_security', '安全运行状况'),
      manual('dc_response', '云服务响应及时性'),
      manual('dc_satisfaction', '云服务满意度'),
    ],
  };
}

/** Shanghai's provider fee bands: SH 34 makes the result a basis of the provider's fee; the shares are the city's. */
export const SH_PROVIDER_FEE = [
  { min: '90', adjustment: '0', zh: '优秀' },
  { min: '80', adjustment: '-0.02', zh: '良好' },
  { min: '60', adjustment: '-0.05', zh: '合格' },
  { min: '0', adjustment: '-0.10', zh: '不合格' },
];

/** Shanghai's bands: SH 27 makes the evaluation result a factor of the fee; the thresholds are the city's. */
export const SH_BANDS = [
  { min: '90', coefficient: '1.0000', zh: '优秀' },
  { min: '80', coefficient: '0.9800', zh: '良好' },
  { min: '60', coefficient: '0.9500', zh: '合格' },
  { min: '0', coefficient: '0.9000', zh: '不合格' },
];
