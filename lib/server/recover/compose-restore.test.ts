import { describe, expect, it } from "vitest";
import { adjustComposeText } from "./compose-restore";

const FILE = `# eLabFTW of the unit
services:
  web:
    image: elabftw/elabimg:5.1.0 # pinned
    environment:
      - SITE_URL=https://elab.old.example
      - DB_HOST=mysql
    ports:
      - "127.0.0.1:8443:443"
  mysql:
    image: mysql:8.0
    ports:
      - "3306:3306"
`;

describe("a recovered instance's compose file, with the operator's adjustments", () => {
  it("changes the web service's SITE_URL and published port only, every other byte kept", () => {
    const { text, found } = adjustComposeText(
      FILE,
      "web",
      { siteUrl: "https://elab.new.example", publishedPort: 9443 },
      443,
    );
    expect(found).toEqual({ siteUrl: true, publishedPort: true });
    expect(text).toBe(
      FILE.replace("SITE_URL=https://elab.old.example", "SITE_URL=https://elab.new.example").replace(
        '"127.0.0.1:8443:443"',
        '"127.0.0.1:9443:443"',
      ),
    );
    // Nothing asked: nothing changed.
    expect(adjustComposeText(FILE, "web", {}, 443)).toEqual({
      text: FILE,
      found: { siteUrl: false, publishedPort: false },
    });
  });

  it("reads the mapping forms too, and says what it did not find", () => {
    const mapped = `services:
  web:
    image: x
    environment:
      SITE_URL: 'https://a.example'
    ports:
      - target: 443
        published: 8443
`;
    const { text, found } = adjustComposeText(
      mapped,
      "web",
      { siteUrl: "https://b.example", publishedPort: 1443 },
      443,
    );
    expect(found).toEqual({ siteUrl: true, publishedPort: true });
    expect(text).toContain("SITE_URL: 'https://b.example'");
    expect(text).toContain("published: 1443");
    const bare = "services:\n  web:\n    image: x\n    env_file: .env\n";
    expect(adjustComposeText(bare, "web", { siteUrl: "https://b.example" }, 443).found.siteUrl).toBe(false);
  });

  it("refuses to guess: a SITE_URL from a variable, a port range, a file that is not YAML", () => {
    const variable = "services:\n  web:\n    environment:\n      - SITE_URL=${SITE_URL}\n";
    expect(() => adjustComposeText(variable, "web", { siteUrl: "https://b.example" }, 443)).toThrow(
      /SITE_URL comes from a variable/,
    );
    const range = 'services:\n  web:\n    ports:\n      - "8000-8001:443"\n';
    expect(() => adjustComposeText(range, "web", { publishedPort: 9443 }, 443)).toThrow(/is not one port/);
    expect(() => adjustComposeText("services: [", "web", {}, 443)).toThrow(/not valid YAML/);
  });
});
