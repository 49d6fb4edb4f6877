// The node's log: `--log-level` takes a global level and/or per-module levels and refuses unknown modules and levels
// listing the choices; lines are filtered per module; the JSON format is one parseable object per line with time,
// level, module, msg and the structured fields; a module logger tags lines without a module of their own.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createNodeLogger,
  DEFAULT_LOG_FILTER,
  LOG_LEVELS,
  LOG_MODULES,
  logEnabled,
  moduleLogger,
  parseLogLevelSpec,
} from "../../src/node/node-log.ts";

test("--log-level: a global level, per-module levels, or both", () => {
  assert.deepEqual(parseLogLevelSpec("debug"), { level: "debug", modules: {} });
  assert.deepEqual(parseLogLevelSpec("sc=debug,im=info"), { level: "info", modules: { sc: "debug", im: "info" } });
  assert.deepEqual(parseLogLevelSpec("warn,fabric=debug"), { level: "warn", modules: { fabric: "debug" } });
  assert.deepEqual(parseLogLevelSpec(" error , sc = debug "), { level: "error", modules: { sc: "debug" } });
});

test("--log-level: an unknown module or level is refused, listing the choices", () => {
  assert.throws(
    () => parseLogLevelSpec("bogus=debug"),
    (e: unknown) =>
      e instanceof RangeError && e.message.includes('"bogus"') && LOG_MODULES.every((m) => e.message.includes(m)),
  );
  assert.throws(
    () => parseLogLevelSpec("sc=loud"),
    (e: unknown) =>
      e instanceof RangeError && e.message.includes('"loud"') && e.message.includes(LOG_LEVELS.join(", ")),
  );
  assert.throws(() => parseLogLevelSpec("loud"), /"loud" is not a level \(one of error, warn, info, debug\)/);
  assert.throws(() => parseLogLevelSpec(""), RangeError);
  assert.throws(() => parseLogLevelSpec("info,"), RangeError);
});

test("per-module filtering: a module's level overrides the global one both ways", () => {
  const f = parseLogLevelSpec("warn,fabric=debug,sc=error");
  assert.equal(logEnabled(f, "debug", "fabric"), true);
  assert.equal(logEnabled(f, "info", "node"), false);
  assert.equal(logEnabled(f, "warn", "node"), true);
  assert.equal(logEnabled(f, "warn", "sc"), false);
  assert.equal(logEnabled(f, "error", "sc"), true);
  assert.equal(logEnabled(DEFAULT_LOG_FILTER, "info", "im"), true);
  assert.equal(logEnabled(DEFAULT_LOG_FILTER, "debug", "im"), false);

  const lines: string[] = [];
  const log = createNodeLogger({ filter: f, write: (l) => lines.push(l) });
  log("debug", "fabric 1 added", "fabric");
  log("info", "started");
  log("warn", "PASE failed", "sc");
  log("error", "PASE broke", "sc");
  assert.equal(lines.length, 2, lines.join(""));
  assert.match(lines[0]!, /^\S+Z debug \[fabric\] fabric 1 added\n$/);
  assert.match(lines[1]!, /^\S+Z error \[sc\] PASE broke\n$/);
});

test("json format: one object per line with time, level, module, msg and the fields; the four keys cannot be replaced", () => {
  let out = "";
  const time = new Date("2026-12-07T19:00:00.000Z");
  const log = createNodeLogger({
    format: "json",
    filter: parseLogLevelSpec("debug"),
    write: (l) => {
      out += l;
    },
    now: () => time,
  });
  log("info", 'fabric 1 added: label "a\nb"', "fabric", { fabricIndex: 1, fabricId: "0x0000000000000001", msg: "x" });
  log("debug", "plain");
  const lines = out.split("\n");
  assert.equal(lines.pop(), "", "every line ends with a newline");
  const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(objects, [
    {
      time: "2026-12-07T19:00:00.000Z",
      level: "info",
      module: "fabric",
      msg: 'fabric 1 added: label "a\nb"',
      fabricIndex: 1,
      fabricId: "0x0000000000000001",
    },
    { time: "2026-12-07T19:00:00.000Z", level: "debug", module: "node", msg: "plain" },
  ]);
  assert.deepEqual(Object.keys(objects[0]!).slice(0, 4), ["time", "level", "module", "msg"]);
});

test("a module logger tags lines that name no module and keeps those that do", () => {
  const seen: string[] = [];
  const base = createNodeLogger({ write: (l) => seen.push(l), filter: parseLogLevelSpec("debug") });
  const window = moduleLogger(base, "window");
  window("info", "commissioning window open");
  window("warn", "PASE failed", "sc");
  assert.match(seen[0]!, /\[window\] commissioning window open/);
  assert.match(seen[1]!, /\[sc\] PASE failed/);
});
