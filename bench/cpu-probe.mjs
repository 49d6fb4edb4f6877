// Preloaded into a commissioner process by bench/commission.ts (NODE_OPTIONS=--import=<this file>): whenever the
// process writes a line `RESULT <tag> ...` to stdout, the probe first reads the process's own CPU time (user + system,
// every thread, process.cpuUsage) and writes `CPU_AT <tag> <microseconds>` after that line. The same probe runs in the
// matter.js controller and in our administrator's child, so both commissioners' CPU is measured the same way.
// Our own benchmark tool.
const write = process.stdout.write.bind(process.stdout);

process.stdout.write = (chunk, ...rest) => {
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  const tags = [...text.matchAll(/^RESULT (\S+)/gm)].map((m) => m[1]);
  if (tags.length === 0) return write(chunk, ...rest);
  const usage = process.cpuUsage();
  const written = write(chunk, ...rest);
  for (const tag of tags) write(`CPU_AT ${tag} ${usage.user + usage.system}\n`);
  return written;
};
