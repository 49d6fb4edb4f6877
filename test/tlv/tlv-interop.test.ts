// Interop with matter.js (dev dependency): its TLV encodings of PASE PBKDFParamRequest/Response decode with our schemas
// to the same values and bytes, and ours decode with its codecs. Field layouts per Core 4.14.1.2.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TlvPbkdfParamRequest, TlvPbkdfParamResponse } from "@matter/protocol";
import fc from "fast-check";
import { toHex } from "../../src/bytes/bytes.ts";
import {
  tlvBool,
  tlvBytes,
  tlvField,
  tlvOptionalField,
  tlvStruct,
  tlvUInt16,
  tlvUInt32,
} from "../../src/tlv/tlv-schema.ts";

const SessionParameters = tlvStruct({
  idleInterval: tlvOptionalField(1, tlvUInt32),
  activeInterval: tlvOptionalField(2, tlvUInt32),
  activeThreshold: tlvOptionalField(3, tlvUInt16),
  dataModelRevision: tlvOptionalField(4, tlvUInt16),
  interactionModelRevision: tlvOptionalField(5, tlvUInt16),
  specificationVersion: tlvOptionalField(6, tlvUInt32),
  maxPathsPerInvoke: tlvOptionalField(7, tlvUInt16),
});
const PbkdfParamRequest = tlvStruct({
  initiatorRandom: tlvField(1, tlvBytes({ length: 32 })),
  initiatorSessionId: tlvField(2, tlvUInt16),
  passcodeId: tlvField(3, tlvUInt16),
  hasPbkdfParameters: tlvField(4, tlvBool),
  initiatorSessionParams: tlvOptionalField(5, SessionParameters),
});
const PbkdfParamResponse = tlvStruct({
  initiatorRandom: tlvField(1, tlvBytes({ length: 32 })),
  responderRandom: tlvField(2, tlvBytes({ length: 32 })),
  responderSessionId: tlvField(3, tlvUInt16),
  pbkdfParameters: tlvOptionalField(
    4,
    tlvStruct({ iterations: tlvField(1, tlvUInt32), salt: tlvField(2, tlvBytes({ minLength: 16, maxLength: 32 })) }),
  ),
  responderSessionParams: tlvOptionalField(5, SessionParameters),
});

const noNull = { noNullPrototype: true } as const;
const sessionParamsArb = fc.record(
  {
    idleInterval: fc.integer({ min: 0, max: 0xffffffff }),
    activeInterval: fc.integer({ min: 0, max: 0xffffffff }),
    activeThreshold: fc.integer({ min: 0, max: 0xffff }),
    dataModelRevision: fc.integer({ min: 0, max: 0xffff }),
    interactionModelRevision: fc.integer({ min: 0, max: 0xffff }),
    specificationVersion: fc.integer({ min: 0, max: 0xffffffff }),
    maxPathsPerInvoke: fc.integer({ min: 0, max: 0xffff }),
  },
  { requiredKeys: [], ...noNull },
);
const random32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const requestArb = fc.record(
  {
    initiatorRandom: random32,
    initiatorSessionId: fc.integer({ min: 0, max: 0xffff }),
    passcodeId: fc.integer({ min: 0, max: 0xffff }),
    hasPbkdfParameters: fc.boolean(),
    initiatorSessionParams: sessionParamsArb,
  },
  { requiredKeys: ["initiatorRandom", "initiatorSessionId", "passcodeId", "hasPbkdfParameters"], ...noNull },
);
const responseArb = fc.record(
  {
    initiatorRandom: random32,
    responderRandom: random32,
    responderSessionId: fc.integer({ min: 0, max: 0xffff }),
    pbkdfParameters: fc.record(
      { iterations: fc.integer({ min: 0, max: 0xffffffff }), salt: fc.uint8Array({ minLength: 16, maxLength: 32 }) },
      noNull,
    ),
    responderSessionParams: sessionParamsArb,
  },
  { requiredKeys: ["initiatorRandom", "responderRandom", "responderSessionId"], ...noNull },
);

test("interop: matter.js and this codec produce the same PBKDFParamRequest bytes and values", () => {
  fc.assert(
    fc.property(requestArb, (value) => {
      const theirs = TlvPbkdfParamRequest.encode(value);
      const ours = PbkdfParamRequest.encode(value);
      assert.equal(toHex(ours), toHex(theirs));
      assert.deepStrictEqual(PbkdfParamRequest.decode(theirs), value);
      assert.deepEqual(TlvPbkdfParamRequest.decode(ours), value);
    }),
    { numRuns: 200 },
  );
});

test("interop: matter.js and this codec produce the same PBKDFParamResponse bytes and values", () => {
  fc.assert(
    fc.property(responseArb, (value) => {
      const theirs = TlvPbkdfParamResponse.encode(value);
      const ours = PbkdfParamResponse.encode(value);
      assert.equal(toHex(ours), toHex(theirs));
      assert.deepStrictEqual(PbkdfParamResponse.decode(theirs), value);
      assert.deepEqual(TlvPbkdfParamResponse.decode(ours), value);
    }),
    { numRuns: 200 },
  );
});
