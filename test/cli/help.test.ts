import assert from "node:assert/strict";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { fakeIO } from "../helpers/cli.js";

test("dagpipe --help lists the program and exits 0", async () => {
  const io = fakeIO();
  assert.equal(await main(["--help"], io), 0);
  assert.match(io.stdout, /Usage: dagpipe/);
});

test("an unknown command is a usage error (exit 2)", async () => {
  const io = fakeIO();
  assert.equal(await main(["no-such-command"], io), 2);
});
