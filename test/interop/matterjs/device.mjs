// Reference matter.js device: an OnOff light (ServerNode from @matter/main 0.17.x).
// Our own test script; uses the published npm packages only.
//
// Config via environment variables:
//   DEV_PORT (5540)  DEV_PASSCODE (20202021)  DEV_DISCRIMINATOR (3840)
//   DEV_STORAGE (/tmp/peer-matterjs/state/device)  DEV_VID (0xFFF1)  DEV_PID (0x8000)
//   DEV_CERT_DIR     optional dir with dac.der, pai.der, dac-key.hex (see make-test-dac.sh); default: matter.js
//                    generates a fresh PAI+DAC under the CHIP "Matter Test PAA" at every start
//   MATTER_LOG_LEVEL (info|debug)  MATTER_MDNS_NETWORKINTERFACE (e.g. lo, veth-d)
// Prints one line "DEVICE_READY {json}" on stdout once it listens.

import { readFileSync } from "node:fs";
import { Bytes, Crypto, Environment, Logger, ServerNode, VendorId } from "@matter/main";
import { OnOffLightDevice } from "@matter/main/devices/on-off-light";
import { CertificationDeclaration } from "@matter/main/protocol";

const port = Number(process.env.DEV_PORT ?? 5540);
const passcode = Number(process.env.DEV_PASSCODE ?? 20202021);
const discriminator = Number(process.env.DEV_DISCRIMINATOR ?? 3840);
const storage = process.env.DEV_STORAGE ?? "/tmp/peer-matterjs/state/device";
const vendorId = Number(process.env.DEV_VID ?? 0xfff1);
const productId = Number(process.env.DEV_PID ?? 0x8000);

const environment = Environment.default;
environment.vars.set("storage.path", storage);
// Do not install SIGINT/SIGTERM handlers that would keep us alive longer than the test wants.
environment.vars.set("runtime.signals", true);

const logger = Logger.get("peer-device");

// Optional externally made attestation chain (DAC/PAI from openssl); the CD is still the matter.js test CD
// (signed with the Matter spec Appendix F test CD signing key, certification_type=0 "test").
let certification;
if (process.env.DEV_CERT_DIR) {
  const dir = process.env.DEV_CERT_DIR;
  certification = async () => ({
    privateKey: Bytes.fromHex(readFileSync(`${dir}/dac-key.hex`, "utf8").trim()),
    certificate: readFileSync(`${dir}/dac.der`),
    intermediateCertificate: readFileSync(`${dir}/pai.der`),
    declaration: await CertificationDeclaration.generate(environment.get(Crypto), VendorId(vendorId), productId),
  });
}

const server = await ServerNode.create({
  id: "device",
  ...(certification ? { operationalCredentials: { certification } } : {}),
  network: { port },
  commissioning: { passcode, discriminator },
  productDescription: { name: "peer-light", deviceType: OnOffLightDevice.deviceType },
  basicInformation: {
    vendorName: "peer-test",
    vendorId: VendorId(vendorId),
    nodeLabel: "peer light",
    productName: "peer light",
    productLabel: "peer light",
    productId,
    serialNumber: `peer-${port}`,
    uniqueId: `peer-unique-${port}`,
  },
});

const light = await server.add(OnOffLightDevice, { id: "light" });
light.events.onOff.onOff$Changed.on((value) => logger.info(`light is now ${value ? "ON" : "OFF"}`));

server.lifecycle.commissioned.on(() => logger.info("commissioned (first fabric added)"));
server.lifecycle.online.on(() => {
  const { qrPairingCode, manualPairingCode } = server.state.commissioning.pairingCodes;
  console.log(
    "DEVICE_READY " +
      JSON.stringify({
        port,
        passcode,
        discriminator,
        manualPairingCode,
        qrPairingCode,
        commissioned: server.state.commissioning.commissioned,
      }),
  );
});

await server.run();
