#!/usr/bin/env node
// The `opcreds` command: loads the TypeScript CLI in-process through tsx's ESM loader (no build step needed).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
