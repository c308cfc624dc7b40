// What the offline file's tests in Chromium and Firefox share.

import { cliJson, DIST } from './helpers.mjs';
import path from 'node:path';

export const OFFLINE = path.join(DIST, 'heaplens-offline.html');

// The top rows of `heaplens summary --json`, in the fields the class table shows.
export function expectedTop(file, n) {
  return cliJson('summary', file).classes.slice(0, n)
    .map(({ name, count, self_size, retained_size, distance }) => ({ name, count, self_size, retained_size, distance }));
}
