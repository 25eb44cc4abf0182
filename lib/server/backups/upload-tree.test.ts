import { describe, expect, it } from "vitest";
import type { TarEntry } from "./tar-files";
import { englishText } from "../../i18n/message";
import { treeDifferences as differences, uploadRowProblem, UploadTree } from "./upload-tree";

const treeDifferences = (...args: Parameters<typeof differences>) => differences(...args).map(englishText);

const base = { mode: 0o644, uid: 101, gid: 101, mtime: 1_700_000_000 };
const dir = (path: string): TarEntry => ({ ...base, path: `${path}/`, type: "directory", size: 0, mode: 0o755 });
const file = (path: string, sha256 = "a".repeat(64)): TarEntry => ({ ...base, path, type: "file", size: 3, sha256 });
const link = (path: string, target: string): TarEntry => ({ ...base, path, type: "symlink", size: 0, target });
const hard = (path: string, target: string): TarEntry => ({ ...base, path, type: "hardlink", size: 0, target });

const tree = new UploadTree([
  dir("uploads"),
  dir("uploads/2024"),
  file("uploads/2024/results.csv"),
  dir("uploads/legacy"),
  link("uploads/legacy/latest results.csv", "../2024/results.csv"),
  link("uploads/legacy/absolute.csv", "/elabftw/uploads/2024/results.csv"),
  link("uploads/legacy/etc", "/etc/passwd"),
  link("uploads/legacy/escape", "../../../etc/passwd"),
  link("uploads/legacy/nothing", "gone.pdf"),
  link("uploads/legacy/loop-a", "loop-b"),
  link("uploads/legacy/loop-b", "loop-a"),
  link("uploads/legacy/to-dir", "../2024"),
  link("uploads/legacy/to-link", "latest results.csv"),
  hard("uploads/2024/same.csv", "uploads/2024/results.csv"),
  file("uploads/ab/x\ny “quoted” 🧪.pdf"),
]);

describe("the uploads tree as eLabFTW serves it", () => {
  it("counts a row whose name is a link, or goes through one, when it ends at a file of the tree", () => {
    for (const name of [
      "2024/results.csv",
      "legacy/latest results.csv",
      "legacy/absolute.csv",
      "legacy/to-dir/results.csv",
      "legacy/to-link",
      "2024/same.csv",
      "ab/x\ny “quoted” 🧪.pdf",
    ]) {
      expect(uploadRowProblem(tree, name), name).toBeNull();
    }
  });

  it("says why a row has no file: missing, outside the tree, dangling, a loop, a directory", () => {
    expect(uploadRowProblem(tree, "ab/other.pdf")).toMatch(/no such file/);
    expect(uploadRowProblem(tree, "legacy/etc")).toMatch(/outside the uploads directory/);
    expect(uploadRowProblem(tree, "legacy/escape")).toMatch(/outside the uploads directory/);
    expect(uploadRowProblem(tree, "legacy/nothing")).toMatch(/no such file/);
    expect(uploadRowProblem(tree, "legacy/loop-a")).toMatch(/loop/);
    expect(uploadRowProblem(tree, "2024")).toMatch(/not a regular file/);
    expect(uploadRowProblem(tree, "2024/results.csv/x")).toMatch(/not a regular file/);
  });

  it("counts files, bytes and links for the journal", () => {
    expect(tree.summary()).toEqual({ files: 2, bytes: 6, symlinks: 9, hardlinks: 1, directories: 3, other: 0 });
  });
});

describe("an archive against its manifest", () => {
  const manifest = [dir("uploads"), file("uploads/a.pdf"), link("uploads/l", "a.pdf")];

  it("finds nothing to say about the same tree", () => {
    expect(
      treeDifferences(
        manifest,
        manifest.map((e) => ({ ...e })),
      ),
    ).toEqual([]);
  });

  it("names a changed file, a re-pointed link, a changed type, owner or time, a missing and an extra entry", () => {
    const problems = treeDifferences(manifest, [
      { ...dir("uploads"), mtime: 1 },
      file("uploads/a.pdf", "b".repeat(64)),
      link("uploads/l", "../elsewhere"),
      file("uploads/new.pdf"),
    ]);
    expect(problems).toEqual([
      "uploads has another time than the manifest says",
      "uploads/a.pdf differs",
      'uploads/l points to "../elsewhere", the manifest says "a.pdf"',
      "uploads/new.pdf is in the archive but not in the manifest",
    ]);
    expect(treeDifferences(manifest, [dir("uploads"), link("uploads/a.pdf", "x"), link("uploads/l", "a.pdf")])).toEqual(
      ["uploads/a.pdf is a symlink, the manifest says file"],
    );
    expect(treeDifferences(manifest, [dir("uploads"), { ...file("uploads/a.pdf"), uid: 0 }])).toEqual([
      "uploads/a.pdf has other owners or mode than the manifest says",
      "uploads/l is missing from the archive (symlink)",
    ]);
  });

  it("reads a format 1 manifest (regular files only, no type): directories and links of the archive are not news", () => {
    const legacy = [{ path: "uploads/a.pdf", size: 3, sha256: "a".repeat(64), mode: 0o644, uid: 101, gid: 101 }];
    expect(treeDifferences(legacy, manifest, { filesOnly: true })).toEqual([]);
    expect(uploadRowProblem(new UploadTree(legacy), "a.pdf")).toBeNull();
  });
});
