import Type, { type TSchema } from 'typebox';
import { SERVER_TYPES } from './requestforms.table.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const RequestFormRowSchema = Type.Object(
  {
    rowNo: Type.Integer({ description: '序号' }),
    networkZone: Type.String({ description: '网络分区, e.g. 公共网络区, 互联网区' }),
    developer: Type.String({ description: '开发商' }),
    systemName: Type.String({ description: '系统名称 (the same on every row)' }),
    subsystem: Nullable(Type.String({ description: '子系统名称' })),
    serverType: Type.Union(
      SERVER_TYPES.map((t) => Type.Literal(t)),
      {
        description:
          '服务器类型: APP application, WEB government website, FTP file server, DAT database, MID middleware, TST test, OTH other',
      },
    ),
    bastionOwner: Type.String({ description: '堡垒机账号负责人 (several separated by 、 , or ;)' }),
    bastionOwnerEmail: Type.String({ description: '堡垒机账号负责人邮箱, one per owner, in order' }),
    bastionOwnerMobile: Type.String({ description: '堡垒机账号负责人手机号码, one per owner, in order' }),
    vcpu: Type.Integer({ minimum: 1, maximum: 256, description: 'vCPU核' }),
    memoryGb: Type.Integer({ minimum: 1, maximum: 4096, description: '内存GB' }),
    systemDiskGb: Type.Integer({ minimum: 1, maximum: 65_536, description: '系统盘GB' }),
    dataDiskGb: Type.Integer({ minimum: 0, maximum: 65_536, description: '数据盘GB' }),
    os: Type.String({ description: '操作系统' }),
    clustered: Type.Boolean({ description: '集群部署 (是/否)' }),
    clusterGroup: Nullable(Type.String({ description: '集群组号, set exactly when clustered' })),
    notes: Nullable(Type.String({ description: '备注' })),
  },
  { $id: 'RequestFormRow', title: 'RequestFormRow', description: 'One virtual machine: one row of the form' },
);

const summaryProperties = {
  id: Type.String(),
  organisationId: Type.String(),
  jurisdictionId: Type.String(),
  systemName: Type.String(),
  title: Type.String(),
  status: Type.Literal('draft'),
  applicantContact: Nullable(Type.String({ description: '申请单位联系人及手机号码、邮箱' })),
  vendorContact: Nullable(Type.String({ description: '信息系统厂商联系人及手机号码、邮箱' })),
  sourceFilename: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  totals: Type.Object(
    {
      rows: Type.Integer(),
      vcpu: Type.Integer(),
      memoryGb: Type.Integer(),
      systemDiskGb: Type.Integer(),
      dataDiskGb: Type.Integer(),
    },
    { description: 'the number of virtual machines and the sums of their resources' },
  ),
};

export const RequestFormSummarySchema = Type.Object(summaryProperties, {
  $id: 'RequestFormSummary',
  title: 'RequestFormSummary',
  description: 'A resource request form (云资源使用需求表, LZ annex 3) without its rows',
});

export const RequestFormSchema = Type.Object(
  { ...summaryProperties, rows: Type.Array(Type.Ref('RequestFormRow')) },
  { $id: 'RequestForm', title: 'RequestForm', description: 'A resource request form with its rows' },
);

export const REQUEST_FORM_SCHEMAS = [RequestFormRowSchema, RequestFormSummarySchema, RequestFormSchema];
