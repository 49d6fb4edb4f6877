import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { createOnOffSceneable } from "../../../src/clusters/scenes-management/on-off-scenes.ts";
import {
  capSceneValue,
  checkExtensionFieldSet,
  fromSceneValue,
  MAX_ATTRIBUTE_VALUE_PAIRS,
  type SceneAttribute,
  type SceneAttributeType,
  type SceneableCluster,
  toAttributeValuePairStruct,
  toSceneValue,
  valueFieldOf,
} from "../../../src/clusters/scenes-management/sceneable-cluster.ts";
import { ImStatus } from "../../../src/fabric/status-codes.ts";

test("capSceneValue follows SDK CapAttributeValue: type range, declared bounds, nullable → null", () => {
  const u8: SceneAttribute = { id: 1, type: "uint8" };
  assert.equal(capSceneValue(u8, 300n), 255n);
  assert.equal(capSceneValue(u8, 7n), 7n);
  const level: SceneAttribute = { id: 0, type: "uint8", nullable: true, min: 1, max: 254 };
  // A nullable attribute takes null (0xFF) for out-of-range values instead of the nearest bound.
  assert.equal(capSceneValue(level, 0n), 0xffn);
  assert.equal(capSceneValue(level, 0xffn), 0xffn);
  assert.equal(capSceneValue(level, 100n), 100n);
  const s16: SceneAttribute = { id: 2, type: "int16", min: -100, max: 100 };
  assert.equal(capSceneValue(s16, -30000n), -100n);
  assert.equal(capSceneValue(s16, 101n), 100n);
  const ns8: SceneAttribute = { id: 3, type: "int8", nullable: true };
  assert.equal(capSceneValue(ns8, -128n), -128n); // the null representation stays null
  assert.equal(capSceneValue(ns8, -127n), -127n);
  const b: SceneAttribute = { id: 4, type: "bool" };
  assert.equal(capSceneValue(b, 2n), 1n);
});

test("each attribute type maps to its AttributeValuePairStruct field", () => {
  const expected: Record<SceneAttributeType, string> = {
    bool: "valueUnsigned8",
    uint8: "valueUnsigned8",
    int8: "valueSigned8",
    uint16: "valueUnsigned16",
    int16: "valueSigned16",
    uint32: "valueUnsigned32",
    int32: "valueSigned32",
    uint64: "valueUnsigned64",
    int64: "valueSigned64",
  };
  for (const [type, field] of Object.entries(expected)) assert.equal(valueFieldOf(type as SceneAttributeType), field);
  const u64: SceneAttribute = { id: 9, type: "uint64" };
  assert.deepEqual(toAttributeValuePairStruct(u64, { attributeId: 9, value: 1n << 63n }), {
    attributeId: 9,
    valueUnsigned64: 1n << 63n,
  });
  assert.deepEqual(toAttributeValuePairStruct({ id: 1, type: "int32" }, { attributeId: 1, value: -5n }), {
    attributeId: 1,
    valueSigned32: -5,
  });
});

const TYPE_RANGES: [SceneAttributeType, bigint, bigint][] = [
  ["uint8", 0n, 255n],
  ["int8", -128n, 127n],
  ["uint16", 0n, 65535n],
  ["int16", -32768n, 32767n],
  ["uint32", 0n, 0xffffffffn],
  ["int32", -(1n << 31n), (1n << 31n) - 1n],
  ["uint64", 0n, (1n << 64n) - 1n],
  ["int64", -(1n << 63n), (1n << 63n) - 1n],
];

test("property: toSceneValue / fromSceneValue round trip every in-range value of every type", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...TYPE_RANGES).chain(([type, min, max]) => fc.tuple(fc.constant(type), fc.bigInt({ min, max }))),
      ([type, v]) => {
        const attr: SceneAttribute = { id: 1, type };
        const pub = toSceneValue(attr, v);
        assert.equal(typeof pub, type.endsWith("64") ? "bigint" : "number");
        assert.equal(fromSceneValue(attr, pub), v);
      },
    ),
  );
  const b: SceneAttribute = { id: 0, type: "bool" };
  assert.equal(toSceneValue(b, 1n), true);
  assert.equal(fromSceneValue(b, false), 0n);
  const nb: SceneAttribute = { id: 0, type: "uint16", nullable: true };
  assert.equal(toSceneValue(nb, 0xffffn), null);
  assert.equal(fromSceneValue(nb, null), 0xffffn);
});

test("fromSceneValue refuses values of the wrong JS type or range (API misuse)", () => {
  assert.throws(() => fromSceneValue({ id: 0, type: "bool" }, 1), TypeError);
  assert.throws(() => fromSceneValue({ id: 0, type: "uint8" }, null), TypeError);
  assert.throws(() => fromSceneValue({ id: 0, type: "uint8" }, 1.5), TypeError);
  assert.throws(() => fromSceneValue({ id: 0, type: "uint64" }, 1), TypeError);
  assert.throws(() => fromSceneValue({ id: 0, type: "uint8" }, 256), RangeError);
  assert.throws(() => fromSceneValue({ id: 0, type: "int8" }, -129), RangeError);
});

test("checkExtensionFieldSet: pair count limit, unknown attribute, field choice, capping", () => {
  const cluster: SceneableCluster = {
    clusterId: 8,
    attributes: [
      { id: 0, type: "uint8", nullable: true, min: 1, max: 254 },
      { id: 1, type: "int16" },
    ],
    capture: () => [],
    apply: () => {},
  };
  const ok = checkExtensionFieldSet(cluster, {
    clusterId: 8,
    attributeValueList: [
      { attributeId: 0, valueUnsigned8: 0 },
      { attributeId: 1, valueSigned16: -3 },
    ],
  });
  assert.deepEqual(ok, {
    ok: true,
    values: [
      { attributeId: 0, value: 0xffn },
      { attributeId: 1, value: -3n },
    ],
  });
  const many = Array.from({ length: MAX_ATTRIBUTE_VALUE_PAIRS + 1 }, () => ({ attributeId: 1, valueSigned16: 0 }));
  assert.deepEqual(checkExtensionFieldSet(cluster, { clusterId: 8, attributeValueList: many }), {
    ok: false,
    status: ImStatus.FAILURE,
  });
  assert.deepEqual(
    checkExtensionFieldSet(cluster, { clusterId: 8, attributeValueList: [{ attributeId: 2, valueSigned16: 0 }] }),
    { ok: false, status: ImStatus.INVALID_COMMAND },
  );
  assert.deepEqual(
    checkExtensionFieldSet(cluster, { clusterId: 8, attributeValueList: [{ attributeId: 1, valueUnsigned16: 0 }] }),
    { ok: false, status: ImStatus.FAILURE },
  );
});

test("the On/Off adapter captures and applies OnOff as a bool", () => {
  let on = false;
  const s = createOnOffSceneable({ onOff: () => on, setOnOff: (v) => (on = v) });
  assert.equal(s.clusterId, 6);
  assert.deepEqual(s.capture(), [{ attributeId: 0, value: false }]);
  s.apply([{ attributeId: 0, value: true }], 0);
  assert.equal(on, true);
  // Pairs of other attributes are ignored.
  s.apply([{ attributeId: 0x4000, value: 0 }], 0);
  assert.equal(on, true);
});
