// The steps of our administrator's commissioning, in the order of Core 5.5, as its StepReports name them: the tests
// that drive a commissioning against our device or the matter.js device compare with this one list.

/** The steps up to and including AddNOC (the part run over PASE before the device commits anything). */
export const STEPS_UP_TO_ADDNOC = [
  "PASE",
  "read",
  "ArmFailSafe",
  "SetRegulatoryConfig",
  "attestation",
  "CSRRequest",
  "issue NOC",
  "AddTrustedRootCertificate",
  "AddNOC",
] as const;

/** Every step of a commissioning at a known address (no commissionable discovery). */
export const COMMISSIONING_STEPS = [
  ...STEPS_UP_TO_ADDNOC,
  "operational discovery",
  "CASE",
  "CommissioningComplete",
  "UpdateFabricLabel",
] as const;
