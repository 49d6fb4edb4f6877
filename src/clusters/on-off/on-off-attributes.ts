/**
 * The On/Off attributes with the Lighting feature (Application Cluster spec 1.5.6): OnOff, GlobalSceneControl, the
 * writable OnTime and OffWaitTime, and the non-volatile StartUpOnOff.
 */

import { Privilege } from "../../fabric/access-control.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import { type AttributeDefinition, attribute } from "../../im/data-model.ts";
import { tlvBool, tlvEnum8, tlvNullable, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { isStartUpOnOff } from "./on-off-data-types.ts";
import { ON_OFF_SUCCESS, OnOffAttribute, type OnOffEnv } from "./on-off-options.ts";

/** The attribute definitions, in id order. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list; each element is typed where it is defined.
export function onOffAttributes(env: OnOffEnv): AttributeDefinition<any>[] {
  return [
    attribute({
      id: OnOffAttribute.OnOff,
      name: "OnOff",
      schema: tlvBool,
      readPrivilege: Privilege.View,
      read: () => env.onOff,
    }),
    attribute({
      id: OnOffAttribute.GlobalSceneControl,
      name: "GlobalSceneControl",
      schema: tlvBool,
      readPrivilege: Privilege.View,
      read: () => env.globalSceneControl,
    }),
    attribute({
      id: OnOffAttribute.OnTime,
      name: "OnTime",
      schema: tlvUInt16,
      readPrivilege: Privilege.View,
      writePrivilege: Privilege.Operate,
      read: () => env.onTime,
      // 1.5.6.3: "can be written at any time, but writing a value only has effect when in the Timed On state".
      write: async (value) => {
        env.setOnTime(value);
        return ON_OFF_SUCCESS;
      },
    }),
    attribute({
      id: OnOffAttribute.OffWaitTime,
      name: "OffWaitTime",
      schema: tlvUInt16,
      readPrivilege: Privilege.View,
      writePrivilege: Privilege.Operate,
      read: () => env.offWaitTime,
      write: async (value) => {
        env.setOffWaitTime(value);
        return ON_OFF_SUCCESS;
      },
    }),
    attribute({
      id: OnOffAttribute.StartUpOnOff,
      name: "StartUpOnOff",
      schema: tlvNullable(tlvEnum8),
      readPrivilege: Privilege.View,
      writePrivilege: Privilege.Manage,
      read: () => env.startUpOnOff,
      write: async (value) => {
        // A value outside StartUpOnOffEnum violates the attribute's constraint (SDK: CONSTRAINT_ERROR).
        if (value !== null && !isStartUpOnOff(value)) return { status: ImStatus.CONSTRAINT_ERROR };
        env.setStartUpOnOff(value);
        return ON_OFF_SUCCESS;
      },
    }),
  ];
}
