import { describe, expect, it } from "vitest";
import { pathProblem } from "./path-policy";

describe("the one path policy for paths operators type", () => {
  const policy = { dataDir: "/var/lib/paillasse-data", allowInside: ["/var/lib/paillasse-data/backups"] };

  it.each([
    ["/srv/elabftw/uploads"],
    ["/srv/backups/elabftw/"],
    ["/mnt/filer/elabftw"],
    ["/var/lib/paillasse-data/backups/unit"],
    ["/data/été 2024"],
  ])("accepts %j", (value) => {
    expect(pathProblem(value, policy)).toBeNull();
  });

  it.each([
    ["", /must not be empty/],
    ["relative/dir", /absolute path/],
    ["/x:/y:rw", /must not contain “:”/],
    ["/srv/a\0b", /NUL byte/],
    ["/srv/a\nb", /line break/],
    ["/srv/../etc", /normal form \(\/etc\)/],
    ["/srv//a", /normal form \(\/srv\/a\)/],
    ["/", /must not be \/ itself/],
    ["/var", /must not be \/var itself/],
    ["/etc", /in \/etc/],
    ["/etc/elabftw", /in \/etc/],
    ["/proc/1", /in \/proc/],
    ["/sys", /in \/sys/],
    ["/dev/sda", /in \/dev/],
    ["/boot", /in \/boot/],
    ["/run/docker.sock", /in \/run/],
    ["/var/run/docker.sock", /in \/var\/run/],
    ["/var/lib/docker/volumes/x", /in \/var\/lib\/docker/],
    ["/srv/docker.sock", /Docker socket/],
    ["/var/lib/paillasse-data", /panel's data directory/],
    ["/var/lib/paillasse-data/master.key", /panel's data directory/],
    ["x".repeat(5000), /at most 4096/],
  ])("refuses %j", (value, message) => {
    expect(pathProblem(value, policy)).toMatch(message);
  });
});
