#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a checkout and a
// running server (see docs/decisions.md).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
