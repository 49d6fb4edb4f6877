/**
 * ExtensionFieldSetStruct and AttributeValuePairStruct of the Scenes Management cluster (Application Cluster spec
 * 1.4.7.3 / 1.4.7.4, Matter 1.4.2 data model XML): the attribute values a scene holds for one scene-capable cluster.
 */
import {
  type TlvType,
  tlvArray,
  tlvField,
  tlvInt8,
  tlvInt16,
  tlvInt32,
  tlvInt64,
  tlvOptionalField,
  tlvStruct,
  tlvUInt8,
  tlvUInt16,
  tlvUInt32,
  tlvUInt64,
} from "../../tlv/tlv-schema.ts";

/**
 * AttributeValuePairStruct { 0 AttributeID attrib-id, 1 ValueUnsigned8 uint8, 2 ValueSigned8 int8, 3 ValueUnsigned16,
 * 4 ValueSigned16, 5 ValueUnsigned32, 6 ValueSigned32, 7 ValueUnsigned64, 8 ValueSigned64 }. The value fields are
 * choice "a" (O.a): exactly one SHALL be present; that is checked against the attribute's type when a scene is added.
 */
export const AttributeValuePairStruct = tlvStruct({
  attributeId: tlvField(0, tlvUInt32),
  valueUnsigned8: tlvOptionalField(1, tlvUInt8),
  valueSigned8: tlvOptionalField(2, tlvInt8),
  valueUnsigned16: tlvOptionalField(3, tlvUInt16),
  valueSigned16: tlvOptionalField(4, tlvInt16),
  valueUnsigned32: tlvOptionalField(5, tlvUInt32),
  valueSigned32: tlvOptionalField(6, tlvInt32),
  valueUnsigned64: tlvOptionalField(7, tlvUInt64),
  valueSigned64: tlvOptionalField(8, tlvInt64),
});
/** One decoded AttributeValuePairStruct. */
export type AttributeValuePairStruct = TlvType<typeof AttributeValuePairStruct>;

/** The value fields of AttributeValuePairStruct, by property name. */
export const ATTRIBUTE_VALUE_FIELDS = [
  "valueUnsigned8",
  "valueSigned8",
  "valueUnsigned16",
  "valueSigned16",
  "valueUnsigned32",
  "valueSigned32",
  "valueUnsigned64",
  "valueSigned64",
] as const;
/** The name of one value field of AttributeValuePairStruct. */
export type AttributeValueField = (typeof ATTRIBUTE_VALUE_FIELDS)[number];

/** ExtensionFieldSetStruct { 0 ClusterID cluster-id, 1 AttributeValueList list[AttributeValuePairStruct] }. */
export const ExtensionFieldSetStruct = tlvStruct({
  clusterId: tlvField(0, tlvUInt32),
  attributeValueList: tlvField(1, tlvArray(AttributeValuePairStruct)),
});
/** One decoded ExtensionFieldSetStruct. */
export type ExtensionFieldSetStruct = TlvType<typeof ExtensionFieldSetStruct>;
