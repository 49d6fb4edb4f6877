/**
 * PBKDFParamResponse, the second PASE message (Core spec, PASE: "Message format: PBKDFParamResponse").
 *
 * pbkdfparamresp-struct => STRUCTURE [ tag-order ] {
 *   initiatorRandom [1] : OCTET STRING [ length 32 ],
 *   responderRandom [2] : OCTET STRING [ length 32 ],
 *   responderSessionId [3] : UNSIGNED INTEGER [ range 16-bits ],
 *   pbkdf_parameters [4, optional] : Crypto_PBKDFParameterSet,
 *   responderSessionParams [5, optional] : session-parameter-struct
 * }
 * Crypto_PBKDFParameterSet => STRUCTURE [ tag-order ] {
 *   iterations [1] : UNSIGNED INTEGER [ range 32-bits ],
 *   salt [2] : OCTET STRING [ length 16..32 ],
 * }
 */
import {
  PROTOCOL_STRUCT,
  type TlvSchema,
  tlvBytes,
  tlvField,
  tlvOptionalField,
  tlvStruct,
  tlvUInt16,
  tlvUInt32,
} from "../../tlv/tlv-schema.ts";
import { secureChannelMessage } from "../secure-channel-message.ts";
import { SessionParameterStruct } from "../session-parameters.ts";
import { PBKDF_SALT_MAX_BYTES, PBKDF_SALT_MIN_BYTES, type PbkdfParameters } from "./pase-verifier.ts";
import { PASE_RANDOM_BYTES } from "./pbkdf-param-request.ts";

/** Crypto_PBKDFParameterSet. */
const PbkdfParameterSetStruct = tlvStruct(
  {
    iterations: tlvField(1, tlvUInt32),
    salt: tlvField(2, tlvBytes({ minLength: PBKDF_SALT_MIN_BYTES, maxLength: PBKDF_SALT_MAX_BYTES })),
  },
  PROTOCOL_STRUCT,
) as TlvSchema<PbkdfParameters>;

/** pbkdfparamresp-struct; errors give the spec's member name pbkdf_parameters. */
const PBKDFParamResponseMessage = secureChannelMessage("PBKDFParamResponse", {
  initiatorRandom: tlvField(1, tlvBytes({ length: PASE_RANDOM_BYTES })),
  responderRandom: tlvField(2, tlvBytes({ length: PASE_RANDOM_BYTES })),
  responderSessionId: tlvField(3, tlvUInt16),
  pbkdfParameters: tlvOptionalField(4, PbkdfParameterSetStruct, "pbkdf_parameters"),
  responderSessionParams: tlvOptionalField(5, SessionParameterStruct),
});

/** Decoded PBKDFParamResponse; `pbkdfParameters` is present only when the request lacked them. */
export type PBKDFParamResponse = ReturnType<typeof PBKDFParamResponseMessage.decode>;

/** Encodes a PBKDFParamResponse payload; a member out of its range or length is a RangeError. */
export const encodePBKDFParamResponse: (m: PBKDFParamResponse) => Uint8Array = PBKDFParamResponseMessage.encode;

/** Decodes a PBKDFParamResponse payload strictly; any mismatch is MalformedError (`tlv.*`). */
export const decodePBKDFParamResponse: (payload: Uint8Array) => PBKDFParamResponse = PBKDFParamResponseMessage.decode;
