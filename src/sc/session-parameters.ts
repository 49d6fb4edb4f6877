/**
 * session-parameter-struct (Core spec, Session Establishment: "Session Parameters"), carried by PBKDFParamRequest/Response and
 * Sigma1/Sigma2: MRP intervals, revisions, limits and supported transports. Unknown members are skipped, since
 * newer peers add tags (matter.js 0.17 sends tags 1-8; tag 9 is MAX_TCP_MESSAGE_SIZE).
 *
 * session-parameter-struct => STRUCTURE [ tag-order ] {
 *   SESSION_IDLE_INTERVAL [1, optional] : UNSIGNED INTEGER [ range 32-bits ],
 *   SESSION_ACTIVE_INTERVAL [2, optional] : UNSIGNED INTEGER [ range 32-bits ],
 *   SESSION_ACTIVE_THRESHOLD [3, optional] : UNSIGNED INTEGER [ range 16-bits ],
 *   DATA_MODEL_REVISION [4] : UNSIGNED INTEGER [ range 16-bits ],
 *   INTERACTION_MODEL_REVISION [5] : UNSIGNED INTEGER [ range 16-bits ],
 *   SPECIFICATION_VERSION [6] : UNSIGNED INTEGER [ range 32-bits ],
 *   MAX_PATHS_PER_INVOKE [7] : UNSIGNED INTEGER [ range 16-bits ],
 *   SUPPORTED_TRANSPORTS [8, optional] : BITMAP [ range 16-bits ],
 *   MAX_TCP_MESSAGE_SIZE [9, optional] : UNSIGNED INTEGER [ range 32-bits ],
 * }
 */
import type { TlvNode, TlvTag } from "../tlv/tlv-node.ts";
import {
  PROTOCOL_STRUCT,
  type TlvSchema,
  tlvOptionalField,
  tlvStruct,
  tlvUInt16,
  tlvUInt32,
} from "../tlv/tlv-schema.ts";

/** Decoded session parameters; every member is optional on the wire (older peers omit 4-7). Intervals are in ms. */
export type SessionParameters = {
  readonly sessionIdleInterval?: number;
  readonly sessionActiveInterval?: number;
  readonly sessionActiveThreshold?: number;
  readonly dataModelRevision?: number;
  readonly interactionModelRevision?: number;
  readonly specificationVersion?: number;
  readonly maxPathsPerInvoke?: number;
  readonly supportedTransports?: number;
  readonly maxTcpMessageSize?: number;
};

/** Context tags of the struct members. */
const SessionParameterTag = {
  SESSION_IDLE_INTERVAL: 1,
  SESSION_ACTIVE_INTERVAL: 2,
  SESSION_ACTIVE_THRESHOLD: 3,
  DATA_MODEL_REVISION: 4,
  INTERACTION_MODEL_REVISION: 5,
  SPECIFICATION_VERSION: 6,
  MAX_PATHS_PER_INVOKE: 7,
  SUPPORTED_TRANSPORTS: 8,
  MAX_TCP_MESSAGE_SIZE: 9,
} as const;

/** The session-parameter-struct schema: [ tag-order ] enforced, unknown members skipped. */
export const SessionParameterStruct = tlvStruct(
  {
    sessionIdleInterval: tlvOptionalField(SessionParameterTag.SESSION_IDLE_INTERVAL, tlvUInt32),
    sessionActiveInterval: tlvOptionalField(SessionParameterTag.SESSION_ACTIVE_INTERVAL, tlvUInt32),
    sessionActiveThreshold: tlvOptionalField(SessionParameterTag.SESSION_ACTIVE_THRESHOLD, tlvUInt16),
    dataModelRevision: tlvOptionalField(SessionParameterTag.DATA_MODEL_REVISION, tlvUInt16),
    interactionModelRevision: tlvOptionalField(SessionParameterTag.INTERACTION_MODEL_REVISION, tlvUInt16),
    specificationVersion: tlvOptionalField(SessionParameterTag.SPECIFICATION_VERSION, tlvUInt32),
    maxPathsPerInvoke: tlvOptionalField(SessionParameterTag.MAX_PATHS_PER_INVOKE, tlvUInt16),
    supportedTransports: tlvOptionalField(SessionParameterTag.SUPPORTED_TRANSPORTS, tlvUInt16),
    maxTcpMessageSize: tlvOptionalField(SessionParameterTag.MAX_TCP_MESSAGE_SIZE, tlvUInt32),
  },
  PROTOCOL_STRUCT,
) as TlvSchema<SessionParameters>;

/** The struct node for `params` under `tag`, members in tag order; an out-of-range value is a RangeError, a non-integer a TypeError. */
export function encodeSessionParametersNode(params: SessionParameters, tag: TlvTag): TlvNode {
  return SessionParameterStruct.encodeNode(params, tag);
}

/** Decodes a session-parameter-struct node strictly (types, ranges, tag order), skipping unknown members. */
export function decodeSessionParametersNode(struct: TlvNode, path: string): SessionParameters {
  return SessionParameterStruct.decodeNode(struct, path);
}
