// One test per validation rule: each builds a chain that breaks exactly that rule (re-signed with the vector keys).
import assert from "node:assert/strict";
import { test } from "node:test";
import { MalformedError, ValidationError } from "../../src/bytes/errors.ts";
import type { DnAttribute } from "../../src/cert/dn.ts";
import { KEY_PURPOSE, KEY_USAGE } from "../../src/cert/extensions.ts";
import { decodeMatterCert } from "../../src/cert/matter-cert-decode.ts";
import { type ChainInput, lintChain, lintRcac, validateChain, validateRcac } from "../../src/cert/validate.ts";
import { VALIDATION_RULES } from "../../src/cert/validation-rules.ts";
import { encodeX509Extension } from "../../src/cert/x509.ts";
import { OID } from "../../src/der/oids.ts";
import {
  type ChainMods,
  chain,
  dropExtension,
  setExtension,
  signUnchecked,
  vectorFields,
  vectorKey,
} from "./cert-builder.ts";
import { tlvOf } from "./vectors.ts";

const AT = new Date("2021-01-01T00:00:00Z");
const FABRIC = 0xfab000000000001dn;
const tested = new Set<string>();

/** Asserts that the chain fails with `rule` first and that `rule` is its only error. */
function expectOnly(rule: keyof typeof VALIDATION_RULES, input: ChainInput): void {
  tested.add(rule);
  assert.throws(
    () => validateChain(input),
    (e: unknown) => e instanceof ValidationError && e.rule === rule,
    `expected ${rule}`,
  );
  const errors = lintChain(input).filter((f) => f.severity === "error");
  assert.deepEqual([...new Set(errors.map((f) => f.rule))], [rule]);
}

function broken(set: 1 | 2, mods: ChainMods, options?: ChainInput["options"]): ChainInput {
  return { ...chain(set, mods), at: AT, options };
}

const nodeSubject = (extra: DnAttribute[] = []): DnAttribute[] => [
  { type: "matterNodeId", value: 0xdededede00010001n },
  { type: "matterFabricId", value: FABRIC },
  ...extra,
];

test("the rebuilt chains are valid before any change", () => {
  validateChain(broken(1, {}));
  validateChain(broken(2, {}));
});

test("cert.serial-length: a 21-octet serial fails, and is a warning with allow21ByteSerial", () => {
  const mods: ChainMods = {
    noc: (f) => {
      f.serialNumber = Uint8Array.of(0, ...new Array(20).fill(0x90));
    },
  };
  expectOnly("cert.serial-length", broken(1, mods));
  const ok = validateChain(broken(1, mods, { allow21ByteSerial: true }));
  assert.ok(ok.warnings.some((w) => w.rule === "cert.serial-length" && w.severity === "warning"));
});

test("cert.serial-negative", () => {
  expectOnly(
    "cert.serial-negative",
    broken(1, {
      noc: (f) => {
        f.serialNumber = Uint8Array.of(0x80);
      },
    }),
  );
});

test("cert.validity-order", () => {
  expectOnly("cert.validity-order", {
    ...chain(1, {
      noc: (f) => {
        f.notBefore = f.notAfter + 1;
      },
    }),
  });
});

test("cert.public-key: a point off the curve", () => {
  expectOnly(
    "cert.public-key",
    broken(1, {
      noc: (f) => {
        f.publicKey = Uint8Array.of(4, ...new Array(64).fill(1));
      },
    }),
  );
});

test("cert.subject.matter-id-count: node id and ICAC id in one subject", () => {
  expectOnly(
    "cert.subject.matter-id-count",
    broken(1, {
      noc: (f) => {
        f.subject = nodeSubject([{ type: "matterIcacId", value: 1n }]);
      },
    }),
  );
});

test("cert.subject.fabric-id-duplicate", () => {
  expectOnly(
    "cert.subject.fabric-id-duplicate",
    broken(1, {
      noc: (f) => {
        f.subject = nodeSubject([{ type: "matterFabricId", value: FABRIC }]);
      },
    }),
  );
});

test("cert.subject.fabric-id-invalid: fabric id 0", () => {
  expectOnly(
    "cert.subject.fabric-id-invalid",
    broken(1, {
      noc: (f) => {
        f.subject = [
          { type: "matterNodeId", value: 1n },
          { type: "matterFabricId", value: 0n },
        ];
      },
    }),
  );
});

test("cert.subject.cat-not-allowed: a CAT in an ICAC subject", () => {
  expectOnly(
    "cert.subject.cat-not-allowed",
    broken(1, {
      icac: (f) => {
        f.subject = [...f.subject, { type: "matterCaseAuthTag", value: 0x00010001 }];
      },
    }),
  );
});

test("cert.skid-missing (NOC), and an ICAC without SKID accepted by allowMissingIcacSkid", () => {
  expectOnly("cert.skid-missing", broken(1, { noc: (f) => dropExtension(f, "subjectKeyId") }));
  const icacMods: ChainMods = { icac: (f) => dropExtension(f, "subjectKeyId") };
  expectOnly("cert.skid-missing", broken(1, icacMods));
  const ok = validateChain(broken(1, icacMods, { allowMissingIcacSkid: true }));
  assert.ok(ok.warnings.some((w) => w.rule === "cert.skid-missing" && w.cert === "icac"));
});

test("cert.akid-missing", () => {
  expectOnly("cert.akid-missing", broken(1, { noc: (f) => dropExtension(f, "authorityKeyId") }));
});

test("cert.basic-constraints-missing", () => {
  expectOnly("cert.basic-constraints-missing", broken(1, { noc: (f) => dropExtension(f, "basicConstraints") }));
});

test("cert.key-usage-missing", () => {
  expectOnly("cert.key-usage-missing", broken(1, { noc: (f) => dropExtension(f, "keyUsage") }));
});

test("chain.critical-unknown-extension: a critical subjectAltName", () => {
  const san = encodeX509Extension(OID.subjectAltName, true, Uint8Array.of(0x30, 0x03, 0x82, 0x01, 0x61));
  expectOnly(
    "chain.critical-unknown-extension",
    broken(1, { noc: (f) => setExtension(f, { type: "future", der: san }) }),
  );
  // The same extension non-critical is accepted and kept verbatim.
  const nonCritical = encodeX509Extension(OID.subjectAltName, false, Uint8Array.of(0x30, 0x03, 0x82, 0x01, 0x61));
  const ok = validateChain(broken(1, { noc: (f) => setExtension(f, { type: "future", der: nonCritical }) }));
  assert.equal(ok.noc.futureExtensions[0]?.oid, OID.subjectAltName);
});

test("rcac.kind: a self-signed root whose subject is an ICAC id", () => {
  const input = broken(1, {
    rcac: (f) => {
      f.subject = [{ type: "matterIcacId", value: 0xcacacaca00000001n }];
      f.issuer = f.subject;
    },
  });
  expectOnly("rcac.kind", input);
  assert.throws(
    () => validateRcac(input.rcac),
    (e: unknown) => e instanceof ValidationError && e.rule === "rcac.kind",
  );
});

test("rcac.issuer-mismatch: a root that is not self-issued", () => {
  expectOnly(
    "rcac.issuer-mismatch",
    broken(1, {
      rcac: (f) => {
        f.issuer = [{ type: "matterRcacId", value: 0xcacacaca000000ffn }];
      },
    }),
  );
});

test("rcac.akid-mismatch", () => {
  expectOnly(
    "rcac.akid-mismatch",
    broken(1, { rcac: (f) => setExtension(f, { type: "authorityKeyId", keyId: new Uint8Array(20).fill(7) }) }),
  );
});

test("rcac.self-signature: a root with a damaged signature (TC_OPCREDS_3_1 step 12)", () => {
  const input = broken(1, { corrupt: "rcac" });
  assert.throws(
    () => validateRcac(input.rcac),
    (e: unknown) => e instanceof ValidationError && e.rule === "rcac.self-signature",
  );
  // The ICAC is still signed by the intact root key, so the damaged root signature is the only error.
  expectOnly("rcac.self-signature", input);
});

test("rcac.fabric-id-mismatch (Root02 with another fabric id)", () => {
  expectOnly(
    "rcac.fabric-id-mismatch",
    broken(2, {
      rcac: (f) => {
        f.subject = [f.subject[0]!, { type: "matterFabricId", value: 0x1111n }];
        f.issuer = f.subject;
      },
    }),
  );
});

test("icac.kind: an intermediate with a common-name-only subject", () => {
  expectOnly(
    "icac.kind",
    broken(1, {
      icac: (f) => {
        f.subject = [{ type: "commonName", value: "ica", printable: false }];
      },
    }),
  );
});

test("icac.fabric-id-mismatch (ICA02 with another fabric id)", () => {
  expectOnly(
    "icac.fabric-id-mismatch",
    broken(2, {
      icac: (f) => {
        f.subject = [f.subject[0]!, { type: "matterFabricId", value: 0x2222n }];
      },
    }),
  );
});

test("chain.rcac-as-icac: a second self-issued root in the ICAC slot", () => {
  tested.add("chain.rcac-as-icac");
  const input = broken(1, {
    icac: (f) => {
      f.subject = [{ type: "matterRcacId", value: 0xcacacaca00000003n }];
      f.issuer = f.subject;
    },
  });
  assert.throws(
    () => validateChain(input),
    (e: unknown) => e instanceof ValidationError && e.rule === "chain.rcac-as-icac",
  );
});

test("ca.not-ca: an ICAC with cA=FALSE", () => {
  expectOnly("ca.not-ca", broken(1, { icac: (f) => setExtension(f, { type: "basicConstraints", isCa: false }) }));
});

test("ca.path-len: Root01 with pathLen 0 over a 3-level chain, and a root pathLen of 2", () => {
  expectOnly(
    "ca.path-len",
    broken(1, { rcac: (f) => setExtension(f, { type: "basicConstraints", isCa: true, pathLenConstraint: 0 }) }),
  );
  const two = broken(1, {
    rcac: (f) => setExtension(f, { type: "basicConstraints", isCa: true, pathLenConstraint: 2 }),
  });
  expectOnly("ca.path-len", two);
  assert.ok(lintRcac(two.rcac).some((f) => f.rule === "ca.path-len"));
});

test("ca.key-usage: an ICAC without keyCertSign; extra bits only with allowExtraKeyUsage", () => {
  expectOnly(
    "ca.key-usage",
    broken(1, { icac: (f) => setExtension(f, { type: "keyUsage", keyUsage: KEY_USAGE.cRLSign }) }),
  );
  const extra: ChainMods = {
    icac: (f) =>
      setExtension(f, {
        type: "keyUsage",
        keyUsage: KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign | KEY_USAGE.digitalSignature,
      }),
  };
  expectOnly("ca.key-usage", broken(1, extra));
  assert.ok(
    validateChain(broken(1, extra, { allowExtraKeyUsage: true })).warnings.some((w) => w.rule === "ca.key-usage"),
  );
});

test("noc.kind: a leaf with an ICAC id subject", () => {
  expectOnly(
    "noc.kind",
    broken(1, {
      noc: (f) => {
        f.subject = [
          { type: "matterIcacId", value: 5n },
          { type: "matterFabricId", value: FABRIC },
        ];
      },
    }),
  );
});

test("noc.subject.node-id-range: a non-operational node id", () => {
  expectOnly(
    "noc.subject.node-id-range",
    broken(1, {
      noc: (f) => {
        f.subject = [{ type: "matterNodeId", value: 0xfffffff000000000n }, f.subject[1]!];
      },
    }),
  );
});

test("noc.subject.node-id-duplicate", () => {
  expectOnly(
    "noc.subject.node-id-duplicate",
    broken(1, {
      noc: (f) => {
        f.subject = nodeSubject([{ type: "matterNodeId", value: 2n }]);
      },
    }),
  );
});

test("noc.subject.fabric-id-missing", () => {
  expectOnly(
    "noc.subject.fabric-id-missing",
    broken(1, {
      noc: (f) => {
        f.subject = [{ type: "matterNodeId", value: 0xdededede00010001n }];
      },
    }),
  );
});

test("noc.cat.too-many: four CATs (the decoder's 5-attribute DN limit already refuses such TLV)", () => {
  tested.add("noc.cat.too-many");
  const base = decodeMatterCert(tlvOf("Node01_01"));
  const f = { ...vectorFields("Node01_01") };
  f.subject = nodeSubject(
    [0x10001, 0x20001, 0x30001, 0x40001].map((value): DnAttribute => ({ type: "matterCaseAuthTag", value })),
  );
  const noc = { ...signUnchecked(f, vectorKey("ICA01"), base), cats: [0x10001, 0x20001, 0x30001, 0x40001] };
  const input = { noc, icac: tlvOf("ICA01"), rcac: tlvOf("Root01"), at: AT };
  assert.throws(
    () => validateChain(input),
    (e: unknown) => e instanceof ValidationError && e.rule === "noc.cat.too-many",
  );
  assert.deepEqual(
    lintChain(input)
      .filter((x) => x.severity === "error")
      .map((x) => x.rule),
    ["noc.cat.too-many"],
  );
});

test("noc.cat.version-zero (TestChipCert NOC_0001)", () => {
  expectOnly(
    "noc.cat.version-zero",
    broken(1, {
      noc: (f) => {
        f.subject = nodeSubject([{ type: "matterCaseAuthTag", value: 0xabcd0000 }]);
      },
    }),
  );
});

test("noc.cat.duplicate-id (TestChipCert NOC_0002)", () => {
  expectOnly(
    "noc.cat.duplicate-id",
    broken(1, {
      noc: (f) => {
        f.subject = nodeSubject([
          { type: "matterCaseAuthTag", value: 0xabcd0001 },
          { type: "matterCaseAuthTag", value: 0xabcd0002 },
        ]);
      },
    }),
  );
});

test("leaf.is-ca", () => {
  expectOnly("leaf.is-ca", broken(1, { noc: (f) => setExtension(f, { type: "basicConstraints", isCa: true }) }));
});

test("leaf.key-usage: no digitalSignature; extra bits only with allowExtraKeyUsage", () => {
  expectOnly(
    "leaf.key-usage",
    broken(1, { noc: (f) => setExtension(f, { type: "keyUsage", keyUsage: KEY_USAGE.keyAgreement }) }),
  );
  const extra: ChainMods = {
    noc: (f) => setExtension(f, { type: "keyUsage", keyUsage: KEY_USAGE.digitalSignature | KEY_USAGE.keyEncipherment }),
  };
  expectOnly("leaf.key-usage", broken(1, extra));
  assert.ok(
    validateChain(broken(1, extra, { allowExtraKeyUsage: true })).warnings.some((w) => w.rule === "leaf.key-usage"),
  );
});

test("leaf.ext-key-usage: clientAuth only, or no EKU at all", () => {
  expectOnly(
    "leaf.ext-key-usage",
    broken(1, { noc: (f) => setExtension(f, { type: "extendedKeyUsage", keyPurposes: [KEY_PURPOSE.clientAuth] }) }),
  );
  expectOnly("leaf.ext-key-usage", broken(1, { noc: (f) => dropExtension(f, "extendedKeyUsage") }));
  // Install policy (SDK): serverAuth alone suffices when asked for.
  validateChain(
    broken(
      1,
      { noc: (f) => setExtension(f, { type: "extendedKeyUsage", keyPurposes: [KEY_PURPOSE.serverAuth] }) },
      {
        requiredKeyPurposes: [KEY_PURPOSE.serverAuth],
      },
    ),
  );
});

test("chain.issuer-mismatch", () => {
  expectOnly(
    "chain.issuer-mismatch",
    broken(1, {
      noc: (f) => {
        f.issuer = [{ type: "matterIcacId", value: 0xcacacaca00000009n }];
      },
    }),
  );
});

test("chain.akid-mismatch", () => {
  expectOnly(
    "chain.akid-mismatch",
    broken(1, { noc: (f) => setExtension(f, { type: "authorityKeyId", keyId: new Uint8Array(20).fill(9) }) }),
  );
});

test("chain.signature: a NOC with a damaged signature, and an ICAC signed by the wrong key", () => {
  expectOnly("chain.signature", broken(1, { corrupt: "noc" }));
  expectOnly("chain.signature", broken(1, { corrupt: "icac" }));
});

test("chain.icac-unused is a warning, never an error", () => {
  tested.add("chain.icac-unused");
  const c = validateChain({ noc: tlvOf("Node01_02"), icac: tlvOf("ICA01"), rcac: tlvOf("Root01") });
  assert.deepEqual(
    c.warnings.map((w) => [w.rule, w.severity]),
    [["chain.icac-unused", "warning"]],
  );
});

test("time.not-yet-valid and time.expired on a single certificate of the chain", () => {
  expectOnly(
    "time.not-yet-valid",
    broken(1, {
      icac: (f) => {
        f.notBefore = 700_000_000;
      },
    }),
  );
  expectOnly(
    "time.expired",
    broken(1, {
      icac: (f) => {
        f.notAfter = 656_087_024;
      },
    }),
  );
  // Matter time 0 NotAfter never expires: in 2100 only the RCAC and ICAC (NotAfter 2040) are expired.
  const later = {
    ...broken(1, {
      noc: (f) => {
        f.notAfter = 0;
      },
    }),
    at: new Date("2100-01-01T00:00:00Z"),
  };
  assert.deepEqual(
    lintChain(later).map((f) => [f.rule, f.cert]),
    [
      ["time.expired", "rcac"],
      ["time.expired", "icac"],
    ],
  );
});

test("cert.malformed: lintChain reports undecodable input; validateChain throws MalformedError", () => {
  tested.add("cert.malformed");
  const input = { noc: Uint8Array.of(0x15, 0x18), rcac: tlvOf("Root01") };
  assert.deepEqual(
    lintChain(input).map((f) => [f.rule, f.cert]),
    [["cert.malformed", "noc"]],
  );
  assert.throws(() => validateChain(input), MalformedError);
});

test("every catalogued rule has a test above", () => {
  assert.deepEqual(
    Object.keys(VALIDATION_RULES).filter((r) => !tested.has(r)),
    [],
  );
});
