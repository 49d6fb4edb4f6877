// Error codes are a closed set (issue 12 item 3): each layer declares its codes in `<layer>-error-codes.ts`, so a
// code nobody declared does not compile where an error is built or a code compared (the @ts-expect-error lines
// below fail the typecheck the day they compile); an IM status and a Secure Channel StatusReport are different types.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ErrorCode,
  InternalError,
  MalformedError,
  OpcredsError,
  ProtocolError,
  ValidationError,
} from "../../src/bytes/errors.ts";
import { ImStatus } from "../../src/fabric/status-codes.ts";
import { ImStatusError } from "../../src/im/status-code.ts";
import { SecureChannelError } from "../../src/sc/secure-channel-error.ts";
import { INVALID_PARAMETER, SecureChannelProtocolCode } from "../../src/sc/status-report.ts";

test("a declared code of each layer builds an error that keeps it; an undeclared one does not compile", () => {
  const declared: ErrorCode[] = ["bytes.overrun", "tlv.schema", "der.length", "x509.version", "fabric.table-full"];
  for (const code of declared) assert.equal(new MalformedError(code, "x").code, code);
  // @ts-expect-error "tlv.overun" is a typo of "tlv.overrun": no layer declares it.
  const typo = new MalformedError("tlv.overun", "x");
  assert.equal(typo.code, "tlv.overun");
  // @ts-expect-error a ValidationError's rule is a declared code too.
  assert.equal(new ValidationError("noc.subject.node-id-rang", "x").rule, "noc.subject.node-id-rang");
});

test("comparing a code with an undeclared one does not compile", () => {
  const e: OpcredsError = new MalformedError("tlv.overrun", "x");
  // @ts-expect-error no layer declares "tlv.overflow", so the comparison can never hold.
  assert.equal(e.code === "tlv.overflow", false);
  assert.equal(e.code === "tlv.overrun", true);
});

test("a broken invariant is an InternalError with code internal, not a ProtocolError", () => {
  const e = new InternalError("bug", { cause: new TypeError("x") });
  assert.equal(e.code, "internal");
  assert.ok(!(e instanceof ProtocolError));
  assert.ok(e.cause instanceof TypeError);
});

test("a ProtocolError carries an IM status; a Secure Channel protocol code or a StatusReport does not compile there", () => {
  const e = new ProtocolError("fabric.table-full", "x", ImStatus.RESOURCE_EXHAUSTED);
  assert.equal(e.status, ImStatus.RESOURCE_EXHAUSTED);
  // @ts-expect-error INVALID_PARAMETER (2) is a Secure Channel protocol code, not an IM status.
  assert.equal(new ProtocolError("fabric.table-full", "x", SecureChannelProtocolCode.INVALID_PARAMETER).status, 2);
  // @ts-expect-error a StatusReport is not an IM status.
  assert.ok(new ProtocolError("fabric.table-full", "x", INVALID_PARAMETER));
  assert.equal(new ImStatusError(ImStatus.CONSTRAINT_ERROR, "x").code, "im.constraint_error");
});

test("a SecureChannelError carries a StatusReport; an IM status does not compile there, and it is no ProtocolError", () => {
  const e = new SecureChannelError("case.signature", "x", INVALID_PARAMETER);
  assert.equal(e.report, INVALID_PARAMETER);
  assert.ok(!(e instanceof ProtocolError));
  assert.ok(e instanceof OpcredsError);
  // @ts-expect-error an IM status is not a StatusReport.
  assert.ok(new SecureChannelError("case.signature", "x", ImStatus.FAILURE));
});
