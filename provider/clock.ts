/**
 * The provider's idea of "now", used for what depends on the time of day: whether a token
 * is inside its rotation window (`diff`) and whether a fixed `expiresAt` is in range
 * (`check`). Tests and rehearsals move it with one environment variable, read on every
 * call, so the same provider process can be shifted between operations:
 *
 *     PULUMI_ATLASSIAN_NOW=2027-01-24T09:00:00Z pulumi preview
 */
export const NOW_ENV = "PULUMI_ATLASSIAN_NOW";

export function now(): Date {
  const shifted = process.env[NOW_ENV];
  if (shifted === undefined || shifted === "") return new Date();
  const at = new Date(shifted);
  if (Number.isNaN(at.getTime())) {
    throw new Error(
      `${NOW_ENV} is set to ${JSON.stringify(shifted.slice(0, 64))}, which is not a time; ` +
        `give an ISO-8601 time such as "2027-01-24T09:00:00Z", or unset it to use the real clock`,
    );
  }
  return at;
}

export { DAY_MS } from "../sdk/schemas";
