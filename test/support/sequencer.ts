import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The longest integration files first, so that the workers end together: started last, a
 * two-minute file leaves the other workers idle meanwhile. Vitest orders by the durations of the last
 * run on this machine, which a clean clone (CI) does not have; these are the files that take more
 * than half a minute (measured), longest first. Every other file keeps Vitest's own order after them.
 */
const LONGEST_FIRST = [
  "test/integration/upgrade.test.ts",
  "test/integration/restic-backup.test.ts",
  "test/integration/backup.test.ts",
  "test/integration/upgrade-crash.test.ts",
  "test/integration/elabftw-standin.test.ts",
  "test/integration/upgrade-layout.test.ts",
  "test/integration/restic-repository.test.ts",
  "test/integration/mysql-upgrade.test.ts",
  "test/integration/upgrade-auto-update.test.ts",
  "test/integration/upgrade-reboot.test.ts",
  "test/integration/upgrade-schedule.test.ts",
  "test/integration/discovery.test.ts",
  "test/integration/upgrade-maintenance.test.ts",
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(path.relative(process.cwd(), f.moduleId).split(path.sep).join("/"));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}
