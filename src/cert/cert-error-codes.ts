/**
 * The error codes and rule ids of the certificate layer: Matter certificates and X.509 (Core spec 6.5), CSR, CMS and the
 * Certification Declaration (6.3), attestation certificates and their chain (6.2), trust stores and revocation sets.
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */
import type { ValidationRule } from "./validation-rules.ts";

/** A format or chain rule of an attestation certificate, prefixed by the certificate it concerns (`pai.path-len`). */
type AttestationCertRule = `${"dac" | "pai" | "paa"}.${
  | "size"
  | "malformed"
  | "basic-constraints"
  | "ca"
  | "path-len"
  | "key-usage"
  | "subject-key-id"
  | "authority-key-id"
  | "vid"
  | "pid"
  | "vid-format"
  | "pid-format"
  | "self-signed"
  | "signature"
  | "validity"}`;

declare module "../bytes/errors.ts" {
  interface ErrorCodes extends Record<ValidationRule | AttestationCertRule, true> {
    "attestation-elements.schema": true;
    "attestation-elements.size": true;
    "attestation.cd-signer": true;
    "attestation.dac-akid": true;
    "attestation.dac-issuer": true;
    "attestation.dac-key": true;
    "attestation.dac-signature": true;
    "attestation.dac-vid-pid": true;
    "attestation.elements-malformed": true;
    "attestation.file": true;
    "attestation.invalid-argument": true;
    "attestation.nonce-mismatch": true;
    "attestation.pai-missing": true;
    "attestation.pai-product-id": true;
    "attestation.pai-vendor-id": true;
    "attestation.pem": true;
    "attestation.signature": true;
    "attestation.signature-format": true;
    "ca.state": true;
    "cd.authorized-paa": true;
    "cd.certification-type": true;
    "cd.cms-malformed": true;
    "cd.dac-origin": true;
    "cd.dac-product-id": true;
    "cd.dac-vendor-id": true;
    "cd.development-type-in-production": true;
    "cd.device-type-id": true;
    "cd.format-version": true;
    "cd.malformed": true;
    "cd.pai-product-id": true;
    "cd.pai-vendor-id": true;
    "cd.product-id": true;
    "cd.schema": true;
    "cd.security-information": true;
    "cd.security-level": true;
    "cd.signature": true;
    "cd.signer-not-trusted": true;
    "cd.test-signer-certification-type": true;
    "cd.test-signer-in-production": true;
    "cd.vendor-id": true;
    "cert.basic-constraints": true;
    "cert.curve": true;
    "cert.dn-attribute": true;
    "cert.dn-empty": true;
    "cert.dn-matter-value": true;
    "cert.dn-printable": true;
    "cert.dn-string-type": true;
    "cert.dn-too-long": true;
    "cert.duplicate-extension": true;
    "cert.extension": true;
    "cert.extension-criticality": true;
    "cert.extensions": true;
    "cert.key-id-length": true;
    "cert.key-purpose": true;
    "cert.key-usage": true;
    "cert.missing-element": true;
    "cert.name": true;
    "cert.non-minimal-int": true;
    "cert.public-key-algorithm": true;
    "cert.serial": true;
    "cert.signature": true;
    "cert.signature-algorithm": true;
    "cert.tag": true;
    "cert.time-form": true;
    "cert.time-range": true;
    "cert.too-large": true;
    "cert.type": true;
    "cert.value": true;
    "chain.dac-akid": true;
    "chain.dac-issuance": true;
    "chain.dac-issuer": true;
    "chain.paa-vid-mismatch": true;
    "chain.pai-akid": true;
    "chain.pai-issuance": true;
    "chain.pai-issuer": true;
    "chain.pid-mismatch": true;
    "chain.vid-mismatch": true;
    "cms.certificates": true;
    "cms.content": true;
    "cms.content-type": true;
    "cms.digest-algorithm": true;
    "cms.sid": true;
    "cms.signature": true;
    "cms.signature-algorithm": true;
    "cms.signed-attributes": true;
    "cms.signer-infos": true;
    "cms.signer-key-id": true;
    "cms.unsigned-attributes": true;
    "cms.version": true;
    "csr.signature": true;
    "csr.version": true;
    "dac.expired": true;
    "issuer.authority-key-id": true;
    "nocsr.schema": true;
    "nocsr.size": true;
    "paa.not-trusted": true;
    "paa.test-in-production": true;
    "revocation-set.crl-signer": true;
    "revocation-set.file": true;
    "revocation-set.json": true;
    "revocation-set.schema": true;
    "revocation.dac": true;
    "revocation.pai": true;
    "revocation.pai-and-dac": true;
    "trust-store.directory": true;
    "trust-store.empty": true;
    "trust-store.file": true;
    "trust-store.skid": true;
    "x509.curve": true;
    "x509.dn-string-type": true;
    "x509.duplicate-extension": true;
    "x509.extension": true;
    "x509.multi-valued-rdn": true;
    "x509.public-key": true;
    "x509.public-key-algorithm": true;
    "x509.signature": true;
    "x509.signature-algorithm": true;
    "x509.version": true;
  }
}
