/**
 * The On/Off attributes with the Lighting feature (Application Cluster spec 1.5.6): OnOff, GlobalSceneControl, the
 * writable OnTime and OffWaitTime, and the non-volatile StartUpOnOff.
 */

import { Privilege } from "../../fabric/access-control.ts";
import { ImStatus } from "../../fabric/status-codes.ts";
import type { AttributeDefinition } from "../../im/data-model.ts";
import { tlvBool, tlvEnum8, tlvNullable, tlvUInt16 } from "../../tlv/tlv-schema.ts";
import { isStartUpOnOff } from "./on-off-data-types.ts";
import { ON_OFF_SUCCESS, OnOffCluster, type OnOffEnv } from "./on-off-options.ts";

/** The attribute definitions, in id order. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list; each element is typed where it is defined.
export function onOffAttributes(env: OnOffEnv): AttributeDefinition<any>[] {
  return [
    OnOffCluster.attribute("OnOff", {
      schema: tlvBool,
      readPrivilege: Privilege.View,
      read: () => env.onOff,
    }),
    OnOffCluster.attribute("GlobalSceneControl", {
      schema: tlvBool,
      readPrivilege: Privilege.View,
      read: () => env.globalSceneControl,
    }),
    // 1.5.6.3: OnTime "can be written at any time, but writing a value only has effect when in the Timed On state".
    timeAttribute(
      "OnTime",
      () => env.onTime,
      (v) => env.setOnTime(v),
    ),
    timeAttribute(
      "OffWaitTime",
      () => env.offWaitTime,
      (v) => env.setOffWaitTime(v),
    ),
    OnOffCluster.attribute("StartUpOnOff", {
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

/** OnTime and OffWaitTime: uint16 in 1/10 s, read View, written Operate, taken as written. */
function timeAttribute(
  name: "OnTime" | "OffWaitTime",
  read: () => number,
  write: (value: number) => void,
): AttributeDefinition<number> {
  return OnOffCluster.attribute(name, {
    schema: tlvUInt16,
    readPrivilege: Privilege.View,
    writePrivilege: Privilege.Operate,
    read,
    write: async (value) => {
      write(value);
      return ON_OFF_SUCCESS;
    },
  });
}
