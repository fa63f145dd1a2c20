/**
 * `sendOnce`: a non-idempotent grant (a Jira role POST, a Confluence v1 permission POST) whose
 * answer is lost is settled by reading, never by a blind resend, and the read comes before
 * giving up too: the last send's answer may be the one that was lost.
 */
import { expect } from "chai";
import { GRANT_ATTEMPTS, sendOnce } from "../../provider/access";
import { APIError, TimeoutError } from "../../sdk/index";
import { rejection } from "../rejection";

const lost = () => new TimeoutError("no answer in time", 1000);

describe("provider access: sendOnce (a grant sent once, its lost answer settled by reading)", () => {
  it("reads after every ambiguous failure, the last one included: a grant that landed on the last send succeeds", async () => {
    let sends = 0;
    let reads = 0;
    const out = await sendOnce(
      async () => {
        sends++;
        throw lost();
      },
      async () => (++reads === GRANT_ATTEMPTS ? "landed" : undefined),
    );
    expect(out).to.equal("landed");
    expect([sends, reads]).to.deep.equal([GRANT_ATTEMPTS, GRANT_ATTEMPTS]);
  });

  it("stops sending as soon as a read finds the grant", async () => {
    let sends = 0;
    const out = await sendOnce(
      async () => {
        sends++;
        throw lost();
      },
      async () => "landed",
    );
    expect([out, sends]).to.deep.equal(["landed", 1]);
  });

  it(`gives up after ${GRANT_ATTEMPTS} sends that never landed, with the last failure`, async () => {
    let sends = 0;
    const err = await rejection(
      sendOnce(
        async () => {
          sends++;
          throw lost();
        },
        async () => undefined,
      ),
    );
    expect(err).to.be.instanceOf(TimeoutError);
    expect(sends).to.equal(GRANT_ATTEMPTS);
  });

  it("does not read or resend after a failure that says the grant did not land", async () => {
    let reads = 0;
    const refused = new APIError({
      status: 400,
      code: undefined,
      title: "Bad Request",
      detail: "no such role",
      pointer: undefined,
      requestId: undefined,
      errorId: undefined,
      retryable: false,
      retryAfterMs: undefined,
      method: "POST",
      path: "/rest/api/3/project/OPS/role/1",
    });
    const err = await rejection(
      sendOnce(
        async () => {
          throw refused;
        },
        async () => {
          reads++;
          return "never";
        },
      ),
    );
    expect(err).to.equal(refused);
    expect(reads).to.equal(0);
  });
});
