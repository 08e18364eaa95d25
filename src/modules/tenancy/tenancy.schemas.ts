import Type from 'typebox';

export const JurisdictionSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    code: Type.String({ description: 'stable identifier, e.g. demo-city' }),
    name: Type.String({ description: 'Chinese name' }),
    nameEn: Type.String(),
    kind: Type.Union([Type.Literal('city'), Type.Literal('district'), Type.Literal('dedicated_domain')]),
    parentCode: Type.Union([Type.String(), Type.Null()]),
    policyPack: Type.String({ description: 'the city policy pack this jurisdiction runs on' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Jurisdiction', title: 'Jurisdiction' },
);

export const JurisdictionCodeParams = Type.Object({
  code: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
});
