/**
 * The catalogue of certificate validation rules (Core spec 6.5 and 6.6 as the SDK implements them; conformance notes
 * 1.8 step 5, 4.3, 4.4): each rule has a stable id used in ValidationError.rule and in lint findings.
 */

/** Every rule id with a one-line statement of what it requires. */
export const VALIDATION_RULES = {
  "cert.serial-length": "serial number is at most 20 octets (RFC 5280 4.1.2.2)",
  "cert.serial-negative": "serial number is positive (RFC 5280 4.1.2.2)",
  "cert.validity-order": "NotBefore is not after NotAfter",
  "cert.public-key": "public key is a point on P-256",
  "cert.subject.matter-id-count": "subject carries at most one of RCAC/ICAC/node/firmware-signing id",
  "cert.subject.fabric-id-duplicate": "subject carries at most one fabric id",
  "cert.subject.fabric-id-invalid": "fabric id is not 0",
  "cert.subject.cat-not-allowed": "CASE Authenticated Tags appear only in NOC subjects",
  "cert.skid-missing": "subject key identifier extension present",
  "cert.akid-missing": "authority key identifier extension present",
  "cert.basic-constraints-missing": "basic constraints extension present",
  "cert.key-usage-missing": "key usage extension present",
  "chain.critical-unknown-extension": "no critical extension Matter does not understand",
  "rcac.kind": "the root certificate has an RCAC id subject",
  "rcac.issuer-mismatch": "the root is self-issued: issuer DN equals subject DN",
  "rcac.akid-mismatch": "the root's AKID equals its SKID",
  "rcac.self-signature": "the root's self-signature verifies",
  "rcac.fabric-id-mismatch": "a fabric id in the RCAC subject equals the NOC's",
  "icac.kind": "the intermediate certificate has an ICAC id subject",
  "icac.fabric-id-mismatch": "a fabric id in the ICAC subject equals the NOC's",
  "chain.rcac-as-icac": "an RCAC is not presented as an ICAC",
  "ca.not-ca": "a signing certificate has basic constraints cA=TRUE",
  "ca.path-len": "path length constraint allows the certificates below it (and is <= 1 on a root)",
  "ca.key-usage": "a signing certificate has keyCertSign (and only keyCertSign/cRLSign)",
  "noc.kind": "the leaf certificate has a node id subject",
  "noc.subject.node-id-range": "the node id is operational (1..0xFFFFFFEFFFFFFFFF)",
  "noc.subject.node-id-duplicate": "the NOC subject has exactly one node id",
  "noc.subject.fabric-id-missing": "the NOC subject has a fabric id",
  "noc.cat.too-many": "at most 3 CASE Authenticated Tags",
  "noc.cat.version-zero": "no CAT has version 0",
  "noc.cat.duplicate-id": "no two CATs share an identifier",
  "leaf.is-ca": "the NOC is not a CA",
  "leaf.key-usage": "the NOC key usage is digitalSignature (and nothing else)",
  "leaf.ext-key-usage": "the NOC extended key usage has clientAuth and serverAuth",
  "chain.issuer-mismatch": "each certificate's issuer DN equals its signer's subject DN",
  "chain.akid-mismatch": "each certificate's AKID equals its signer's SKID",
  "chain.signature": "each certificate's signature verifies with its signer's key",
  "chain.icac-unused": "the supplied ICAC is part of the chain",
  "time.not-yet-valid": "the validation time is not before NotBefore",
  "time.expired": "the validation time is not after NotAfter",
  "cert.malformed": "the certificate decodes",
} as const;

/** A validation rule id. */
export type ValidationRule = keyof typeof VALIDATION_RULES;

/** A finding: `error` fails validation, `warning` is an accepted deviation or a note. */
export type ValidationFinding = {
  readonly rule: ValidationRule;
  readonly message: string;
  readonly severity: "error" | "warning";
  /** Which certificate of the chain it concerns. */
  readonly cert?: "rcac" | "icac" | "noc";
};
