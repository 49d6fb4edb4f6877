/**
 * On/Off cluster 0x0006, revision 6 (Application Cluster spec 1.5, Matter 1.4.2 data model XML) without features:
 * the OnOff attribute and the Off / On / Toggle commands. Lighting (LT), DeadFront and OffOnly are not implemented.
 */
import { AttributeChangeEmitter, attribute, type Cluster, command, Privilege } from "../../im/data-model.ts";
import { ImStatus } from "../../im/status-code.ts";
import { tlvBool } from "../../tlv/tlv-schema.ts";

/** Cluster id (Application Cluster spec 1.5). */
export const ON_OFF_CLUSTER_ID = 0x0006;
/** ClusterRevision in the Matter 1.4.2 data model ("Addition of OffOnly feature"). */
export const ON_OFF_REVISION = 6;

/** Attribute ids (1.5.6). */
export const OnOffAttribute = { OnOff: 0x0000 } as const;

/** Command ids (1.5.7); all three answer with a status only. */
export const OnOffCommand = { Off: 0x00, On: 0x01, Toggle: 0x02 } as const;

/** What the cluster needs from the node. */
export interface OnOffOptions {
  /** OnOff at start (the persisted value; StartUpOnOff belongs to the Lighting feature). Default false. */
  readonly onOff?: boolean;
  /** Called after every change of OnOff (a command or `setOnOff`), so the node drives the output and persists it. */
  readonly onChange?: (onOff: boolean) => void;
}

/** The cluster and the local-control entry point. */
export interface OnOffServer {
  readonly cluster: Cluster;
  /** The current OnOff value. */
  readonly onOff: boolean;
  /** Sets OnOff from local control (a button); reports and bumps the data version when it changes. */
  setOnOff(value: boolean): void;
}

/** Creates the On/Off cluster server. */
export function createOnOff(options: OnOffOptions = {}): OnOffServer {
  const changes = new AttributeChangeEmitter();
  let onOff = options.onOff ?? false;

  const set = (value: boolean): void => {
    if (value === onOff) return;
    onOff = value;
    // Core 7.10.3: every change of an attribute bumps the instance's data version (ClusterInstance listens).
    changes.emit(OnOffAttribute.OnOff);
    options.onChange?.(onOff);
  };
  const handler = (next: () => boolean) => async () => {
    set(next());
    return { status: ImStatus.SUCCESS };
  };
  const operate = { invokePrivilege: Privilege.Operate, fabricScoped: false, timed: false } as const;

  const cluster: Cluster = {
    id: ON_OFF_CLUSTER_ID,
    name: "OnOff",
    revision: ON_OFF_REVISION,
    featureMap: 0,
    changes,
    attributes: [
      attribute({
        id: OnOffAttribute.OnOff,
        name: "OnOff",
        schema: tlvBool,
        readPrivilege: Privilege.View,
        read: () => onOff,
      }),
    ],
    commands: [
      // 1.5.7.1: "On receipt of the Off command, a server SHALL set the OnOff attribute to FALSE."
      command({ id: OnOffCommand.Off, name: "Off", ...operate, handler: handler(() => false) }),
      // 1.5.7.2: "On receipt of the On command, a server SHALL set the OnOff attribute to TRUE."
      command({ id: OnOffCommand.On, name: "On", ...operate, handler: handler(() => true) }),
      // 1.5.7.3: Toggle sets OnOff to TRUE when it was FALSE and to FALSE when it was TRUE.
      command({ id: OnOffCommand.Toggle, name: "Toggle", ...operate, handler: handler(() => !onOff) }),
    ],
    events: [],
  };

  return {
    cluster,
    get onOff() {
      return onOff;
    },
    setOnOff: set,
  };
}
