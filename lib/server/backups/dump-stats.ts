import { Writable } from "node:stream";

/**
 * Reads a mysqldump stream as it goes by (never holding it): the tables it
 * creates, the rows it inserts into each, and whether it ends with the
 * `-- Dump completed` trailer. Counting rows from the dump itself (rather than
 * asking the server separately) gives the counts of the dump's own
 * consistent snapshot, which a verification must find again.
 *
 * A row is a top-level parenthesised tuple of an `INSERT INTO \`t\` VALUES`
 * statement (on one line, or one row per line as MariaDB writes it); quotes
 * and backslash escapes are followed so that "),(" or ";" inside a string is
 * not a row or an end.
 */
export interface DumpStats {
  tables: Record<string, number>;
  completed: boolean;
  bytes: number;
}

const INSERT = Buffer.from("INSERT INTO `");
const CREATE = Buffer.from("CREATE TABLE `");
const TRAILER = "-- Dump completed";

export class DumpStatsCollector extends Writable {
  readonly stats: DumpStats = { tables: {}, completed: false, bytes: 0 };
  private mode: "line_start" | "name" | "values" | "skip" = "line_start";
  private prefix: number[] = [];
  private name: number[] = [];
  private nameFor: "insert" | "create" = "insert";
  private table = "";
  private inString = false;
  private escape = false;
  private depth = 0;
  private tail = "";

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.stats.bytes += chunk.length;
    this.tail = (this.tail + chunk.subarray(Math.max(0, chunk.length - 256)).toString("latin1")).slice(-256);
    let i = 0;
    while (i < chunk.length) {
      // Fast paths over the long stretches (a dump is mostly string contents): jump to the next byte that matters.
      if (this.mode === "skip") {
        const nl = chunk.indexOf(0x0a, i);
        if (nl < 0) break;
        i = nl;
      } else if (this.mode === "values" && this.inString && !this.escape) {
        const quote = chunk.indexOf(0x27, i);
        const backslash = chunk.indexOf(0x5c, i);
        const next = quote < 0 ? backslash : backslash < 0 ? quote : Math.min(quote, backslash);
        if (next < 0) break;
        i = next;
      }
      this.step(chunk[i]!);
      i++;
    }
    done();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.stats.completed = new RegExp(`^${TRAILER}`, "m").test(this.tail.trimEnd().split("\n").at(-1) ?? "");
    done();
  }

  private step(byte: number): void {
    switch (this.mode) {
      case "line_start": {
        if (byte === 0x0a) {
          this.prefix = [];
          return;
        }
        this.prefix.push(byte);
        const n = this.prefix.length;
        const insert = n <= INSERT.length && INSERT[n - 1] === byte && this.matches(INSERT);
        const create = n <= CREATE.length && CREATE[n - 1] === byte && this.matches(CREATE);
        if (insert && n === INSERT.length) this.startName("insert");
        else if (create && n === CREATE.length) this.startName("create");
        else if (!insert && !create) this.mode = "skip";
        return;
      }
      case "name":
        if (byte === 0x60) {
          this.table = Buffer.from(this.name).toString("utf8");
          this.stats.tables[this.table] ??= 0;
          this.mode = this.nameFor === "insert" ? "values" : "skip";
          this.inString = false;
          this.escape = false;
          this.depth = 0;
        } else this.name.push(byte);
        return;
      case "values":
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (byte === 0x5c) this.escape = true;
          else if (byte === 0x27) this.inString = false;
          return;
        }
        // The statement may span lines (MariaDB's dump puts each row on its own line): it ends at ";".
        if (byte === 0x27) this.inString = true;
        else if (byte === 0x28) {
          if (this.depth === 0) this.stats.tables[this.table] = (this.stats.tables[this.table] ?? 0) + 1;
          this.depth++;
        } else if (byte === 0x29) this.depth = Math.max(0, this.depth - 1);
        else if (byte === 0x3b && this.depth === 0) this.mode = "skip";
        return;
      case "skip":
        if (byte === 0x0a) this.toLineStart();
        return;
    }
  }

  private matches(word: Buffer): boolean {
    for (let j = 0; j < this.prefix.length; j++) if (this.prefix[j] !== word[j]) return false;
    return true;
  }

  private startName(kind: "insert" | "create"): void {
    this.mode = "name";
    this.nameFor = kind;
    this.name = [];
  }

  private toLineStart(): void {
    this.mode = "line_start";
    this.prefix = [];
  }
}
