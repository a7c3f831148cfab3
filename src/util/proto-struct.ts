/**
 * JSON as google.protobuf.Struct in the object form protobufjs encodes (its bundled struct.proto uses
 * camelCase names): proto-loader does not convert plain objects, which would otherwise encode as empty.
 */
export function toStruct(obj: Record<string, unknown>): { fields: Record<string, ProtoValue> } {
  return { fields: Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toValue(v)])) };
}

type ProtoValue =
  | { nullValue: 'NULL_VALUE' }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: ReturnType<typeof toStruct> }
  | { listValue: { values: ProtoValue[] } };

function toValue(v: unknown): ProtoValue {
  if (v === null || v === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  if (typeof v === 'object') return { structValue: toStruct(v as Record<string, unknown>) };
  return { stringValue: String(v) };
}
