/**
 * A power-on self-test of PASE (Core 4.14.1): both roles run one whole handshake in memory with a random passcode and
 * must derive the same session keys. Run once when a device starts, before it advertises, it proves the SPAKE2+,
 * PBKDF2, HKDF and TLV code the commissioning path relies on (as a FIPS-style self-test does), and it leaves that code
 * compiled, so the first commissioner does not wait for the JIT.
 */
import { bytesEqual } from "../../bytes/bytes.ts";
import { InternalError } from "../../bytes/errors.ts";
import type { Crypto } from "../../crypto/crypto.ts";
import { PaseInitiator } from "./pase-initiator.ts";
import type { PaseMessage } from "./pase-message-type.ts";
import { PaseResponder } from "./pase-responder.ts";
import type { PaseStep } from "./pase-step.ts";
import { computePaseVerifier, PBKDF_ITERATIONS_MIN, PBKDF_SALT_MIN_BYTES } from "./pase-verifier.ts";

/** The passcode of the self-test (any valid one: the handshake never leaves the process). */
const SELF_TEST_PASSCODE = 20_240_601;

/** Runs one in-memory PASE handshake; an InternalError when it does not establish matching keys. */
export function paseSelfTest(crypto: Crypto): void {
  const pbkdfParameters = { iterations: PBKDF_ITERATIONS_MIN, salt: crypto.randomBytes(PBKDF_SALT_MIN_BYTES) };
  const responder = new PaseResponder(crypto, {
    verifier: computePaseVerifier(crypto, SELF_TEST_PASSCODE, pbkdfParameters),
    pbkdfParameters,
    allocateSessionId: () => 2,
  });
  const initiator = new PaseInitiator(crypto, { passcode: SELF_TEST_PASSCODE, localSessionId: 1 });
  let toResponder: PaseMessage | undefined = initiator.start();
  let r: PaseStep | undefined;
  let i: PaseStep | undefined;
  // PBKDFParamRequest, Pake1 and Pake3: three messages each way at most.
  for (let round = 0; round < 3 && toResponder !== undefined; round++) {
    r = responder.handle(toResponder.messageType, toResponder.payload);
    if (r.send === undefined) break;
    i = initiator.handle(r.send.messageType, r.send.payload);
    toResponder = i.send;
  }
  if (i?.status !== "established" || r?.status !== "established") {
    throw new InternalError(
      `PASE self-test did not establish a session (initiator ${i?.status}, responder ${r?.status})`,
    );
  }
  if (!bytesEqual(i.session.i2rKey, r.session.i2rKey) || !bytesEqual(i.session.r2iKey, r.session.r2iKey)) {
    throw new InternalError("PASE self-test derived different session keys on the two sides");
  }
}
