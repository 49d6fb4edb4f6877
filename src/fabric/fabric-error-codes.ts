/**
 * The error codes of the fabric layer: the fabric table, the fail-safe, group keys and ACL entries (Core spec 11.18,
 * 11.10, 11.2, 9.10); these errors carry the IM status (and NOCResponse status) the clusters answer with.
 * Declared by merging into ErrorCodes (src/bytes/errors.ts) so that an undeclared code does not compile.
 */

declare module "../bytes/errors.ts" {
  interface ErrorCodes {
    "acl.auth-mode": true;
    "acl.entries-full": true;
    "acl.fabric-index": true;
    "acl.group-administer": true;
    "acl.no-fabric": true;
    "acl.privilege": true;
    "acl.record": true;
    "acl.subject": true;
    "acl.subjects-full": true;
    "acl.target": true;
    "acl.targets-full": true;
    "fabric.cert-size": true;
    "fabric.committing": true;
    "fabric.conflict": true;
    "fabric.fabric-id": true;
    "fabric.fabric-id-mismatch": true;
    "fabric.incorrect-state": true;
    "fabric.index-info": true;
    "fabric.label-conflict": true;
    "fabric.label-too-long": true;
    "fabric.missing-csr": true;
    "fabric.node-id": true;
    "fabric.not-found": true;
    "fabric.public-key": true;
    "fabric.record": true;
    "fabric.table-full": true;
    "fabric.vendor-id": true;
    "fabric.vvs-length": true;
    "fabric.vvsc-length": true;
    "fabric.vvsc-with-icac": true;
    "fail-safe.disarmed": true;
    "fail-safe.ended": true;
    "group-keys.epoch-gap": true;
    "group-keys.epoch-key-0": true;
    "group-keys.epoch-key-length": true;
    "group-keys.epoch-pair": true;
    "group-keys.full": true;
    "group-keys.group-id": true;
    "group-keys.group-name": true;
    "group-keys.groups-full": true;
    "group-keys.ipk-length": true;
    "group-keys.ipk-remove": true;
    "group-keys.ipk-write": true;
    "group-keys.key-set-id": true;
    "group-keys.map-duplicate": true;
    "group-keys.map-full": true;
    "group-keys.map-key-set": true;
    "group-keys.no-fabric": true;
    "group-keys.not-found": true;
    "group-keys.policy": true;
    "group-keys.record": true;
    "group-keys.start-order": true;
    "group-keys.start-time": true;
  }
}

/** A module, so that the block above augments src/bytes/errors.ts instead of declaring a module of that name. */
export {};
