import { describe, expect, it } from "vitest";
import { englishText } from "../../i18n/message";
import { layoutChangeBlocker, previewUpgrade, upgradeChoices } from "./plan";

const TAGS = [
  "5.0.4",
  "5.1.0",
  "5.1.8",
  "5.2.0",
  "5.5.14",
  "5.6.12",
  "6.0.0",
  "6.0.0-alpha4",
  "latest",
  "stable",
  "5.6.12-php8",
];

describe("the upgrade an operator sees before the key touch", () => {
  it("lists every stable release crossed, oldest first, with its notes, and the schema move", () => {
    const p = previewUpgrade("5.1.0", "5.6.12", TAGS);
    expect(p.crossed.map((c) => c.version)).toEqual(["5.1.8", "5.2.0", "5.5.14", "5.6.12"]);
    expect(p.crossed[0]!.notes).toBe("https://github.com/elabftw/elabftw/releases/tag/5.1.8");
    expect(p.schema).toEqual({ from: 165, to: 217 });
    expect(p.blocked).toBeNull();
    // A target the tag list does not hold (yet) is still its own last release.
    expect(previewUpgrade("5.0.4", "5.1.0", ["5.0.4"]).crossed.map((c) => c.version)).toEqual(["5.1.0"]);
  });

  it("refuses, with the reason, a move to a release that runs its container another way (6.0)", () => {
    const p = previewUpgrade("5.6.12", "6.0.0", TAGS);
    expect(p.blocked).not.toBeNull();
    expect(englishText(p.blocked!)).toMatch(
      /6\.0\.0 runs its container another way than 5\.6\.12 \(port 8080, uploads in \/var\/lib\/elabftw\/uploads, its own user\)/,
    );
    expect(layoutChangeBlocker("5.0.4", "5.6.12")).toBeNull();
    expect(layoutChangeBlocker("6.0.0", "6.1.0")).toBeNull();
    // Nothing known of either side: not blocked here (the pre-flight and the image decide).
    expect(layoutChangeBlocker(null, "5.1.0")).toBeNull();
    expect(layoutChangeBlocker("latest", "6.0.0")).toBeNull();
  });

  it("offers every newer stable release, newest first, never a pre-release or a named tag", () => {
    expect(upgradeChoices("5.1.8", TAGS).map((c) => c.to)).toEqual(["6.0.0", "5.6.12", "5.5.14", "5.2.0"]);
    expect(upgradeChoices("6.0.0", TAGS)).toEqual([]);
    expect(upgradeChoices(null, TAGS)).toEqual([]);
    expect(upgradeChoices("5.0.4", TAGS, 2).map((c) => c.to)).toEqual(["6.0.0", "5.6.12"]);
  });
});
