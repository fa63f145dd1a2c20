// The GroupMembership shim as this module's whole export: see ../shim.ts for why.
import { shim } from "./forward";

export = shim("GroupMembership");
