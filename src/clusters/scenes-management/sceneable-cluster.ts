/**
 * Scene-capable clusters (Application Cluster spec 1.4.7.5 "Logical Scene Table", 1.4.9.2 AddScene): the interface through which
 * a cluster on the endpoint lends its scene attributes to the Scenes Management cluster, and the validation of the
 * AttributeValuePairStructs a client sends for it, as connectedhomeip's DefaultSceneHandlerImpl does it.
 */
import { ImStatus } from "../../fabric/status-codes.ts";
import type { AttributeValueField, AttributeValuePairStruct, ExtensionFieldSetStruct } from "./extension-field-set.ts";
import { ATTRIBUTE_VALUE_FIELDS } from "./extension-field-set.ts";

/** The data type of a scene attribute: it fixes the AttributeValuePairStruct field that carries the value. */
export type SceneAttributeType =
  | "bool"
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "uint64"
  | "int64";

/** A scene attribute value as the cluster sees it: bool → boolean, up to 32 bits → number, 64 bits → bigint. */
export type SceneValue = boolean | number | bigint | null;

/** One attribute of a scene-capable cluster that scenes store and recall (quality "S"). */
export interface SceneAttribute {
  readonly id: number;
  readonly type: SceneAttributeType;
  /** Nullable attribute: an out-of-range value is stored as null (the type's null representation). */
  readonly nullable?: boolean;
  /** Constraint bounds; values outside are capped to them (SDK CapAttributeValue). Default: the type's range. */
  readonly min?: number | bigint;
  readonly max?: number | bigint;
}

/** An attribute id and its value, as `capture()` returns it and `apply()` receives it. */
export interface AttributeValuePair {
  readonly attributeId: number;
  readonly value: SceneValue;
}

/** A cluster on the scenes endpoint whose state scenes capture (StoreScene) and restore (RecallScene). */
export interface SceneableCluster {
  readonly clusterId: number;
  /** The scene attributes; pairs for any other attribute id are refused in AddScene (INVALID_COMMAND). */
  readonly attributes: readonly SceneAttribute[];
  /** The current values of the scene attributes. */
  capture(): AttributeValuePair[];
  /** Moves the cluster to the given values over `transitionTimeMs` (a cluster without transitions applies at once). */
  apply(pairs: readonly AttributeValuePair[], transitionTimeMs: number): void;
}

/** A stored scene value: the wire integer (bool 0/1, null as the type's null representation). */
export interface StoredAttributeValue {
  readonly attributeId: number;
  readonly value: bigint;
}

/** Most AttributeValuePairStructs accepted in one extension field set (SDK kMaxAvPair, CHIP_CONFIG default). */
export const MAX_ATTRIBUTE_VALUE_PAIRS = 15;

interface TypeInfo {
  readonly field: AttributeValueField;
  readonly min: bigint;
  readonly max: bigint;
  /** The null representation of the nullable form (Core 7.18.1: all ones for unsigned, the minimum for signed). */
  readonly nullValue: bigint;
  readonly signed: boolean;
  /** A 64-bit type: the cluster and the wire see its values as bigint, not number. */
  readonly wide: boolean;
}

const unsigned = (field: AttributeValueField, bits: number): TypeInfo => ({
  field,
  min: 0n,
  max: (1n << BigInt(bits)) - 1n,
  nullValue: (1n << BigInt(bits)) - 1n,
  signed: false,
  wide: bits === 64,
});
const signed = (field: AttributeValueField, bits: number): TypeInfo => ({
  field,
  min: -(1n << BigInt(bits - 1)),
  max: (1n << BigInt(bits - 1)) - 1n,
  nullValue: -(1n << BigInt(bits - 1)),
  signed: true,
  wide: bits === 64,
});

const TYPES: Readonly<Record<SceneAttributeType, TypeInfo>> = {
  // A bool travels as ValueUnsigned8 0/1; its nullable form uses 0xFF (SDK NumericAttributeTraits<bool>).
  bool: { field: "valueUnsigned8", min: 0n, max: 1n, nullValue: 0xffn, signed: false, wide: false },
  uint8: unsigned("valueUnsigned8", 8),
  uint16: unsigned("valueUnsigned16", 16),
  uint32: unsigned("valueUnsigned32", 32),
  uint64: unsigned("valueUnsigned64", 64),
  int8: signed("valueSigned8", 8),
  int16: signed("valueSigned16", 16),
  int32: signed("valueSigned32", 32),
  int64: signed("valueSigned64", 64),
};

/** The AttributeValuePairStruct field that carries a value of `type`. */
export function valueFieldOf(type: SceneAttributeType): AttributeValueField {
  return TYPES[type].field;
}

/** The [min, max] a stored value of `attribute` is capped to (SDK CapAttributeValue bounds). */
function bounds(attribute: SceneAttribute): { min: bigint; max: bigint } {
  const t = TYPES[attribute.type];
  let min = t.min;
  let max = t.max;
  // The nullable form gives up one value of the range to the null representation.
  if (attribute.nullable === true && attribute.type !== "bool") {
    if (t.signed) min += 1n;
    else max -= 1n;
  }
  if (attribute.min !== undefined) min = BigInt(attribute.min);
  if (attribute.max !== undefined) max = BigInt(attribute.max);
  return { min, max };
}

/** Caps a received value to the attribute's bounds; a nullable attribute takes null for an out-of-range value. */
export function capSceneValue(attribute: SceneAttribute, value: bigint): bigint {
  const { min, max } = bounds(attribute);
  if (value >= min && value <= max) return value;
  if (attribute.nullable === true) return TYPES[attribute.type].nullValue;
  return value < min ? min : max;
}

/** The outcome of checking one ExtensionFieldSetStruct of AddScene against its scene-capable cluster. */
export type ExtensionFieldSetCheck =
  | { readonly ok: true; readonly values: StoredAttributeValue[] }
  | { readonly ok: false; readonly status: ImStatus };

/**
 * Checks and caps the AttributeValueList of an AddScene extension field set (SDK DefaultSceneHandlerImpl::SerializeAdd):
 * more than MAX_ATTRIBUTE_VALUE_PAIRS pairs → FAILURE; an attribute that is not a scene attribute of the cluster →
 * INVALID_COMMAND (SDK: UnsupportedAttribute mapped to InvalidCommand); not exactly one value field, or a field that
 * does not match the attribute's type → FAILURE (SDK: CHIP_ERROR_INVALID_ARGUMENT); an out-of-range value is capped.
 */
export function checkExtensionFieldSet(
  cluster: SceneableCluster,
  efs: ExtensionFieldSetStruct,
): ExtensionFieldSetCheck {
  if (efs.attributeValueList.length > MAX_ATTRIBUTE_VALUE_PAIRS) return { ok: false, status: ImStatus.FAILURE };
  const values: StoredAttributeValue[] = [];
  for (const pair of efs.attributeValueList) {
    const attribute = cluster.attributes.find((a) => a.id === pair.attributeId);
    if (attribute === undefined) return { ok: false, status: ImStatus.INVALID_COMMAND };
    const present = ATTRIBUTE_VALUE_FIELDS.filter((f) => pair[f] !== undefined);
    // 1.4.7.3: exactly one value field SHALL be present, the one matching the attribute's data type.
    if (present.length !== 1 || present[0] !== TYPES[attribute.type].field)
      return { ok: false, status: ImStatus.FAILURE };
    const raw = pair[present[0]];
    values.push({ attributeId: attribute.id, value: capSceneValue(attribute, BigInt(raw as number | bigint)) });
  }
  return { ok: true, values };
}

/** The wire AttributeValuePairStruct of a stored value (ViewSceneResponse). */
export function toAttributeValuePairStruct(
  attribute: SceneAttribute,
  stored: StoredAttributeValue,
): AttributeValuePairStruct {
  const { field, wide } = TYPES[attribute.type];
  return { attributeId: stored.attributeId, [field]: wide ? stored.value : Number(stored.value) };
}

/** The cluster-facing value of a stored one. */
export function toSceneValue(attribute: SceneAttribute, stored: bigint): SceneValue {
  const t = TYPES[attribute.type];
  if (attribute.nullable === true && stored === t.nullValue) return null;
  if (attribute.type === "bool") return stored !== 0n;
  return t.wide ? stored : Number(stored);
}

/** The stored value of a cluster-facing one; a value of the wrong JS type or range is a TypeError/RangeError. */
export function fromSceneValue(attribute: SceneAttribute, value: SceneValue): bigint {
  const t = TYPES[attribute.type];
  const name = `scene attribute 0x${attribute.id.toString(16)}`;
  if (value === null) {
    if (attribute.nullable !== true) throw new TypeError(`${name}: null for a non-nullable attribute`);
    return t.nullValue;
  }
  if (attribute.type === "bool") {
    if (typeof value !== "boolean") throw new TypeError(`${name}: expected a boolean`);
    return value ? 1n : 0n;
  }
  if (t.wide ? typeof value !== "bigint" : typeof value !== "number" || !Number.isInteger(value))
    throw new TypeError(`${name}: expected ${t.wide ? "a bigint" : "an integer"}`);
  const v = BigInt(value as number | bigint);
  if (v < t.min || v > t.max) throw new RangeError(`${name}: ${v} out of ${attribute.type} range`);
  return v;
}
