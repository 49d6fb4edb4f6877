/**
 * A Matter operational certificate authority (Core spec 6.5; SDK GenerateChipX509Cert / chip-tool's example
 * operational credentials issuer): issues RCAC, ICAC and NOC as Matter TLV certificates whose DER TBS it signs.
 * `CertificateAuthority` keeps its state in memory; `FileCertificateAuthority` persists root key and serial counter.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fromHex, toHex } from "../bytes/bytes.ts";
import { InternalError, MalformedError } from "../bytes/errors.ts";
import type { Crypto } from "../crypto/crypto.ts";
import { nodeCrypto } from "../crypto/node-crypto.ts";
import { P256PrivateKey, P256PublicKey } from "../crypto/p256.ts";
import { csrPublicKey } from "./csr.ts";
import type { Dn, DnAttribute } from "./dn.ts";
import { KEY_PURPOSE, KEY_USAGE, type MatterCertExtension } from "./extensions.ts";
import type { MatterCert, MatterCertFields } from "./matter-cert.ts";
import { decodeMatterCert } from "./matter-cert-decode.ts";
import { buildMatterCert } from "./matter-cert-encode.ts";
import { tbsDer } from "./matter-cert-to-x509.ts";
import { dateToMatterEpoch } from "./matter-epoch.ts";
import { isOperationalNodeId, isValidCat, MAX_CATS_PER_NOC } from "./operational-ids.ts";

/** Default lifetime of issued certificates when no NotAfter is given. */
const DEFAULT_CERT_LIFETIME_S = 10 * 365 * 24 * 3600;

/** Validity of an issued certificate; `notAfter` undefined means no well-defined expiration (Matter time 0). */
export type CertValidity = { readonly notBefore: Date; readonly notAfter?: Date | undefined };

/** The subject key of a certificate to issue: a key, or a PKCS#10 CSR (DER) whose self-signature must verify. */
export type SubjectKey = P256PublicKey | Uint8Array;

/** What a NOC is issued for (Core spec 6.5.6.1: node id, fabric id, up to 3 CATs). */
export type NocRequest = {
  readonly subjectKey: SubjectKey;
  readonly nodeId: bigint;
  readonly fabricId: bigint;
  readonly cats?: readonly number[];
  readonly validity?: CertValidity;
};

/** What an ICAC is issued for. */
export type IcacRequest = {
  readonly subjectKey: SubjectKey;
  readonly icacId: bigint;
  readonly fabricId?: bigint;
  readonly validity?: CertValidity;
};

/** Everything `issueMatterCert` needs: the signer's key and SKID, the subject and its key, and the role. */
export type IssueSpec = {
  readonly serial: bigint;
  readonly issuer: Dn;
  readonly subject: Dn;
  readonly validity: CertValidity;
  readonly publicKey: P256PublicKey;
  readonly signerKey: P256PrivateKey;
  /** The signer's SKID; omitted for a self-signed root (then AKID = SKID). */
  readonly authorityKeyId?: Uint8Array;
  readonly role: "rcac" | "icac" | "noc";
  readonly pathLenConstraint?: number;
};

/** Key identifier of a public key: SHA-1 of the key (RFC 5280 4.2.1.2 method 1), as the SDK and the vectors use. */
export function keyIdentifier(publicKey: Uint8Array): Uint8Array {
  // Not a security function (an identifier only); the Crypto interface has no SHA-1, so node:crypto computes it.
  return new Uint8Array(createHash("sha1").update(publicKey).digest());
}

/** Minimal positive DER INTEGER content octets of a serial number. */
export function serialNumberBytes(serial: bigint): Uint8Array {
  if (serial < 0n) throw new RangeError("serial number must not be negative");
  let hex = serial.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return fromHex(hex);
}

/** Issues one Matter certificate: builds the fields, signs the rebuilt DER TBS, and decodes the result. */
export function issueMatterCert(crypto: Crypto, spec: IssueSpec): MatterCert {
  const skid = keyIdentifier(spec.publicKey.raw);
  const isCa = spec.role !== "noc";
  const extensions: MatterCertExtension[] = [
    spec.pathLenConstraint === undefined
      ? { type: "basicConstraints", isCa }
      : { type: "basicConstraints", isCa, pathLenConstraint: spec.pathLenConstraint },
    { type: "keyUsage", keyUsage: isCa ? KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign : KEY_USAGE.digitalSignature },
    ...(isCa
      ? []
      : [{ type: "extendedKeyUsage", keyPurposes: [KEY_PURPOSE.clientAuth, KEY_PURPOSE.serverAuth] } as const]),
    { type: "subjectKeyId", keyId: skid },
    { type: "authorityKeyId", keyId: spec.authorityKeyId ?? skid },
  ];
  const notBefore = dateToMatterEpoch(spec.validity.notBefore);
  // Matter time 0 as NotBefore would read back from X.509 as "no expiration"; such certificates are unusable.
  if (notBefore === 0) throw new RangeError("NotBefore must be after the Matter epoch");
  const notAfter = spec.validity.notAfter === undefined ? 0 : dateToMatterEpoch(spec.validity.notAfter);
  const unsigned: MatterCertFields = {
    serialNumber: serialNumberBytes(spec.serial),
    issuer: spec.issuer,
    notBefore,
    notAfter,
    subject: spec.subject,
    publicKey: spec.publicKey.raw,
    extensions,
    signature: new Uint8Array(64),
  };
  const signature = crypto.ecdsaSign(spec.signerKey, tbsDer(unsigned));
  return buildMatterCert({ ...unsigned, signature });
}

/** The persistent part of a CA. */
export type CaState = {
  readonly rootKey: P256PrivateKey;
  readonly rcac: MatterCert;
  readonly nextSerial: bigint;
};

/** Options for creating a new CA. */
export type CaOptions = {
  readonly rcacId?: bigint;
  /** Put this fabric id in the RCAC subject (optional; NOCs must then carry the same). */
  readonly fabricId?: bigint;
  readonly validity?: CertValidity;
  /** Source of "now" for default validity periods. */
  readonly clock?: () => Date;
};

function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** An in-memory operational CA: one root key, a serial counter, and issuance of RCAC/ICAC/NOC. */
export class CertificateAuthority {
  readonly crypto: Crypto;
  readonly rootKey: P256PrivateKey;
  readonly rcac: MatterCert;
  readonly #clock: () => Date;
  #nextSerial: bigint;

  constructor(crypto: Crypto, state: CaState, clock: () => Date = () => new Date()) {
    this.crypto = crypto;
    this.rootKey = state.rootKey;
    this.rcac = state.rcac;
    this.#nextSerial = state.nextSerial;
    this.#clock = clock;
  }

  /** A new CA with a fresh root key and a self-signed RCAC (serial 1). */
  static create(crypto: Crypto = nodeCrypto, options: CaOptions = {}): CertificateAuthority {
    const state = CertificateAuthority.newState(crypto, options);
    return new CertificateAuthority(crypto, state, options.clock);
  }

  /** A fresh root key and RCAC. */
  static newState(crypto: Crypto, options: CaOptions = {}): CaState {
    const rootKey = crypto.generateKeyPair();
    const rcacId = options.rcacId ?? BigInt(`0x${toHex(crypto.randomBytes(8))}`);
    const subject: DnAttribute[] = [{ type: "matterRcacId", value: rcacId }];
    if (options.fabricId !== undefined) subject.push({ type: "matterFabricId", value: options.fabricId });
    const now = wholeSeconds((options.clock ?? (() => new Date()))());
    const rcac = issueMatterCert(crypto, {
      serial: 1n,
      issuer: subject,
      subject,
      validity: options.validity ?? {
        notBefore: now,
        notAfter: new Date(now.getTime() + DEFAULT_CERT_LIFETIME_S * 1000),
      },
      publicKey: rootKey.publicKey,
      signerKey: rootKey,
      role: "rcac",
    });
    return { rootKey, rcac, nextSerial: 2n };
  }

  /** The serial number the next issued certificate gets. */
  get nextSerial(): bigint {
    return this.#nextSerial;
  }

  /** Reserves a serial number; the file-backed CA persists the counter before the certificate is signed. */
  protected async allocateSerial(): Promise<bigint> {
    const serial = this.#nextSerial;
    this.#nextSerial = serial + 1n;
    return serial;
  }

  #defaultValidity(): CertValidity {
    const now = wholeSeconds(this.#clock());
    return { notBefore: now, notAfter: new Date(now.getTime() + DEFAULT_CERT_LIFETIME_S * 1000) };
  }

  #subjectKey(key: SubjectKey): P256PublicKey {
    return key instanceof P256PublicKey ? key : csrPublicKey(this.crypto, key);
  }

  /** Issues an ICAC signed by the root. */
  async issueIcac(req: IcacRequest): Promise<MatterCert> {
    const subject: DnAttribute[] = [{ type: "matterIcacId", value: req.icacId }];
    if (req.fabricId !== undefined) subject.push({ type: "matterFabricId", value: req.fabricId });
    const publicKey = this.#subjectKey(req.subjectKey);
    return issueMatterCert(this.crypto, {
      serial: await this.allocateSerial(),
      issuer: this.rcac.subject,
      subject,
      validity: req.validity ?? this.#defaultValidity(),
      publicKey,
      signerKey: this.rootKey,
      authorityKeyId: this.rcac.subjectKeyId!,
      role: "icac",
    });
  }

  /**
   * Issues a NOC for a node, signed by the root, or by `signer` (an ICAC this CA issued and its key). The node id must
   * be operational, at most 3 CATs with non-zero versions and distinct identifiers.
   */
  async issueNoc(req: NocRequest, signer?: { cert: MatterCert; key: P256PrivateKey }): Promise<MatterCert> {
    if (!isOperationalNodeId(req.nodeId))
      throw new RangeError(`node id 0x${req.nodeId.toString(16)} is not operational`);
    if (req.fabricId === 0n) throw new RangeError("fabric id 0 is invalid");
    const cats = req.cats ?? [];
    if (cats.length > MAX_CATS_PER_NOC) throw new RangeError(`at most ${MAX_CATS_PER_NOC} CATs`);
    if (!cats.every(isValidCat)) throw new RangeError("a CAT has version 0 or is not 32-bit");
    if (new Set(cats.map((c) => c >>> 16)).size !== cats.length) throw new RangeError("two CATs share an identifier");
    const subject: DnAttribute[] = [
      { type: "matterNodeId", value: req.nodeId },
      { type: "matterFabricId", value: req.fabricId },
      ...cats.map((value): DnAttribute => ({ type: "matterCaseAuthTag", value })),
    ];
    const publicKey = this.#subjectKey(req.subjectKey);
    const issuer = signer?.cert ?? this.rcac;
    return issueMatterCert(this.crypto, {
      serial: await this.allocateSerial(),
      issuer: issuer.subject,
      subject,
      validity: req.validity ?? this.#defaultValidity(),
      publicKey,
      signerKey: signer?.key ?? this.rootKey,
      authorityKeyId: issuer.subjectKeyId!,
      role: "noc",
    });
  }
}

const STATE_FILE = "ca.json";
const KEY_FILE = "root-key.pem";

type StateJson = { version: 1; rcac: string; nextSerial: string };

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/**
 * A CA whose root key (SEC1 PEM, mode 0600) and state (RCAC and next serial, `ca.json`) live in a directory. The
 * serial counter is written before each certificate is signed, so a crash never reissues a serial.
 */
export class FileCertificateAuthority extends CertificateAuthority {
  readonly dir: string;

  private constructor(dir: string, crypto: Crypto, state: CaState, clock?: () => Date) {
    super(crypto, state, clock);
    this.dir = dir;
  }

  /** Opens the CA in `dir`, creating the directory (0700), root key and RCAC on first use. */
  static async open(
    dir: string,
    crypto: Crypto = nodeCrypto,
    options: CaOptions = {},
  ): Promise<FileCertificateAuthority> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let stateText: string | undefined;
    try {
      stateText = await readFile(join(dir, STATE_FILE), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (stateText === undefined) {
      const state = CertificateAuthority.newState(crypto, options);
      await writeAtomic(join(dir, KEY_FILE), state.rootKey.toSec1Pem());
      const ca = new FileCertificateAuthority(dir, crypto, state, options.clock);
      await ca.#save(state.nextSerial);
      return ca;
    }
    const json = JSON.parse(stateText) as Partial<StateJson>;
    if (json.version !== 1 || typeof json.rcac !== "string" || typeof json.nextSerial !== "string") {
      throw new MalformedError("ca.state", "unrecognized CA state file", { path: join(dir, STATE_FILE) });
    }
    const rootKey = P256PrivateKey.fromPem(await readFile(join(dir, KEY_FILE), "utf8"));
    const rcac = decodeMatterCert(fromHex(json.rcac));
    if (toHex(rcac.publicKey) !== toHex(rootKey.publicKey.raw)) {
      throw new InternalError("CA root key does not match its RCAC");
    }
    return new FileCertificateAuthority(
      dir,
      crypto,
      { rootKey, rcac, nextSerial: BigInt(json.nextSerial) },
      options.clock,
    );
  }

  async #save(nextSerial: bigint): Promise<void> {
    const json: StateJson = { version: 1, rcac: toHex(this.rcac.raw), nextSerial: nextSerial.toString() };
    await writeAtomic(join(this.dir, STATE_FILE), `${JSON.stringify(json, null, 2)}\n`);
  }

  protected override async allocateSerial(): Promise<bigint> {
    const serial = await super.allocateSerial();
    await this.#save(serial + 1n);
    return serial;
  }
}
