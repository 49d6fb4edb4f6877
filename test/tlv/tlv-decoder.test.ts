// Strict decoding: every structural violation is a MalformedError with a stable code, a path and a byte offset.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fromHex } from "../../src/bytes/bytes.ts";
import { MalformedError } from "../../src/bytes/errors.ts";
import { decodeTlv } from "../../src/tlv/tlv-decoder.ts";
import { MAX_TLV_DEPTH } from "../../src/tlv/tlv-node.ts";

function rejects(hex: string, code: string, where: { path?: string; offset?: number } = {}, maxDepth?: number): void {
  assert.throws(
    () => decodeTlv(fromHex(hex), maxDepth === undefined ? {} : { maxDepth }),
    (e: unknown) => {
      assert.ok(e instanceof MalformedError, `expected MalformedError, got ${String(e)}`);
      assert.equal(e.code, code, e.message);
      if (where.path !== undefined) assert.equal(e.path, where.path);
      if (where.offset !== undefined) assert.equal(e.offset, where.offset);
      return true;
    },
  );
}

test("trailing bytes after the single element are rejected", () => {
  rejects("042a00", "tlv.trailing", { path: "root", offset: 2 });
  rejects("151818", "tlv.trailing", { offset: 2 });
});

test("empty input is an overrun", () => rejects("", "tlv.overrun", { offset: 0 }));

test("values, tags and lengths that run past the end are overruns", () => {
  rejects("01 2a", "tlv.overrun", { offset: 1 }); // int16 with one byte
  rejects("07 01 02 03", "tlv.overrun");
  rejects("0b 00 00", "tlv.overrun");
  rejects("0c 06 48 65", "tlv.overrun", { offset: 2 }); // "Hello!" cut short
  rejects("11 05", "tlv.overrun"); // 2-octet length cut short
  rejects("24", "tlv.overrun"); // context tag byte missing
  rejects("c4 f1 ff ed", "tlv.overrun"); // fully qualified tag cut short
  rejects("12 ff ff ff ff 00", "tlv.overrun", { offset: 5 });
});

test("a string length above 2^53 is an overrun, never a lossy number", () => {
  rejects("13 ff ff ff ff ff ff ff ff", "tlv.overrun", { offset: 1 });
  rejects("0f 00 00 00 00 00 00 20 00", "tlv.overrun");
  rejects("0f 05 00 00 00 00 00 00 00 41", "tlv.overrun");
});

test("invalid UTF-8 is rejected", () => {
  rejects("0c 02 c3 28", "tlv.utf8", { offset: 2 });
  rejects("0c 03 ed a0 80", "tlv.utf8"); // encoded surrogate
  rejects("0c 02 c0 80", "tlv.utf8"); // overlong NUL
  rejects("15 2c 01 01 ff 18", "tlv.utf8", { path: "root/1" });
});

test("a UTF-8 byte order mark is kept as content", () => {
  const node = decodeTlv(fromHex("0c 03 ef bb bf"));
  assert.equal(node.type, "utf8");
  assert.equal(node.type === "utf8" && node.value, "\ufeff");
});

test("a lone end-of-container is rejected", () => {
  rejects("18", "tlv.end", { offset: 0 });
});

test("an end-of-container with a tag is rejected", () => rejects("15 38 01", "tlv.tag", { offset: 1 }));

test("a struct member without a tag is rejected", () => {
  rejects("15 04 2a 18", "tlv.tag", { path: "root/[0]", offset: 1 });
});

test("an array member with a tag is rejected", () => {
  rejects("16 24 01 2a 18", "tlv.tag", { path: "root/1", offset: 1 });
  rejects("16 44 01 00 2a 18", "tlv.tag");
});

test("a list accepts tagged and anonymous members and repeated tags", () => {
  const node = decodeTlv(fromHex("17 00 01 20 00 2a 00 02 20 00 ef 18"));
  assert.equal(node.type, "list");
  assert.equal(node.type === "list" && node.elements.length, 4);
});

test("duplicate tags in a struct are rejected", () => {
  rejects("15 24 01 2a 24 01 2b 18", "tlv.duplicate-tag", { path: "root/1", offset: 4 });
  rejects("15 44 01 00 2a 64 01 00 00 00 2a 18", "tlv.duplicate-tag"); // same common tag, 2- and 4-octet forms
  rejects("15 24 00 01 24 1f 02 24 1f 03 18", "tlv.duplicate-tag", { path: "root/31", offset: 7 });
  rejects("15 24 c8 01 24 01 02 24 c8 03 18", "tlv.duplicate-tag", { path: "root/200", offset: 7 });
});

test("a struct accepts distinct context tags that share low bits (1, 33, 65, 255) beside a common-profile tag 1", () => {
  const node = decodeTlv(fromHex("15 24 01 01 24 21 02 24 41 03 24 ff 04 44 01 00 05 18"));
  assert.equal(node.type === "struct" && node.elements.length, 5);
});

test("a container that is never closed is rejected", () => {
  rejects("15", "tlv.unclosed", { offset: 1 });
  rejects("15 24 01 2a", "tlv.unclosed", { offset: 4 });
  rejects("16 16 16 18 18", "tlv.unclosed");
});

test("reserved element types are rejected", () => {
  for (let t = 0x19; t <= 0x1f; t++) rejects(t.toString(16), "tlv.type", { offset: 0 });
});

test("nesting beyond maxDepth is rejected, at the limit it decodes", () => {
  const nested = (n: number) => "16".repeat(n) + "18".repeat(n);
  assert.equal(decodeTlv(fromHex(nested(MAX_TLV_DEPTH))).type, "array");
  rejects(nested(MAX_TLV_DEPTH + 1), "tlv.depth", { offset: MAX_TLV_DEPTH });
  rejects(nested(3), "tlv.depth", { path: "root/[0]/[0]", offset: 2 }, 2);
  rejects("16".repeat(100000), "tlv.depth");
});

test("paths name struct members by tag and array members by index", () => {
  rejects("15 36 03 15 25 01 01", "tlv.overrun", { path: "root/3/[0]/1", offset: 6 }); // uint16 cut short
  assert.throws(
    () => decodeTlv(fromHex("15 2c 01 01 ff 18"), { path: "noc" }),
    (e: unknown) => e instanceof MalformedError && e.path === "noc/1",
  );
});

test("decoded nodes carry wire widths and offsets", () => {
  const node = decodeTlv(fromHex("15 25 01 2a 00 2a 02 00 00 80 7f 18"));
  assert.equal(node.type, "struct");
  if (node.type !== "struct") return;
  assert.deepEqual(node.elements[0], {
    tag: { form: "context", id: 1 },
    offset: 1,
    type: "uint",
    value: 42n,
    width: 2,
  });
  assert.deepEqual(node.elements[1], {
    tag: { form: "context", id: 2 },
    offset: 5,
    type: "float",
    value: Infinity,
    width: 4,
  });
});

test("bytes values are copies, not views of the input", () => {
  const input = fromHex("10 02 aa bb");
  const node = decodeTlv(input);
  input[2] = 0;
  assert.equal(node.type === "bytes" && node.value[0], 0xaa);
});

test("operational certificate Node01_01 decodes to an anonymous struct with context tags 1..11 in order", () => {
  const hex = readFileSync(new URL("./vectors/Node01_01.matter-tlv.hex", import.meta.url), "utf8");
  const node = decodeTlv(fromHex(hex));
  assert.deepEqual(node.tag, { form: "anonymous" });
  assert.equal(node.type, "struct");
  if (node.type !== "struct") return;
  assert.deepEqual(
    node.elements.map((e) => e.tag),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((id) => ({ form: "context", id })),
  );
  assert.deepEqual(
    node.elements.map((e) => e.type),
    ["bytes", "uint", "list", "uint", "uint", "list", "uint", "uint", "bytes", "list", "bytes"],
  );
  const [serial, , issuer, notBefore, notAfter, subject, , , publicKey, extensions, signature] = node.elements;
  assert.equal(serial?.type === "bytes" && serial.value.length, 8);
  assert.equal(notBefore?.type === "uint" && notBefore.value, 656087023n);
  assert.equal(notAfter?.type === "uint" && notAfter.value, 1287239022n);
  assert.equal(publicKey?.type === "bytes" && publicKey.value.length, 65);
  assert.equal(signature?.type === "bytes" && signature.value.length, 64);
  // Issuer ICACId (tag 19) = 0xCACACACA00000003; subject NodeId (17) and FabricId (21).
  assert.deepEqual(issuer?.type === "list" && issuer.elements.map((e) => [e.tag, e.type === "uint" && e.value]), [
    [{ form: "context", id: 19 }, 0xcacacaca00000003n],
  ]);
  assert.deepEqual(subject?.type === "list" && subject.elements.map((e) => [e.tag, e.type === "uint" && e.value]), [
    [{ form: "context", id: 17 }, 0xdededede00010001n],
    [{ form: "context", id: 21 }, 0xfab000000000001dn],
  ]);
  // basic constraints, key usage, extended key usage, subject key id, authority key id
  assert.equal(extensions?.type === "list" && extensions.elements.length, 5);
});
